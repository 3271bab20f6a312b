// The activities a dagent worker registers, bound to that worker's settings and stores.
import { Context } from '@temporalio/activity';
import { agentModelTurn } from './agentModelTurn';
import { agentToolCall } from './agentToolCall';
import { aggregate } from './aggregate';
import { decompose } from './decompose';
import { describeWorkspace } from './describeWorkspace';
import type { ActivityDeps } from './deps';
import { earlierRun, findReusable } from './reuse';
import { gatherMap, mapItems, type GatherInput, type MapSource } from './mapItems';
import { readPage, storePage } from './pages';
import { runTask } from './runTask';
import { knownDurations, rememberDurationsLater, type DurationEntry } from './taskDurations';
import type { AgentToolInput, AgentTurnInput } from '../run/agentTypes';
import type { AggregateInput, DecomposeInput, RunTaskInput } from '../run/types';

export function createActivities(deps: ActivityDeps) {
  return {
    describeWorkspace: (input: { workdir: string }) => describeWorkspace(deps, input),
    decompose: (input: DecomposeInput) => decompose(deps, input),
    runTask: (input: RunTaskInput) => runTask(deps, input),
    agentModelTurn: (input: AgentTurnInput) => agentModelTurn(deps, input),
    agentToolCall: (input: AgentToolInput) => agentToolCall(deps, input),
    aggregate: (input: AggregateInput) => aggregate(deps, input),
    knownDurations: (input: { keys: string[] }) => knownDurations(deps.store, input),
    // Written in the background (agent tasks' durations, and those of runs begun before each
    // task's activity wrote its own): the run's end does not wait for the write.
    recordDurations: async (input: { entries: DurationEntry[] }) => {
      const { log } = Context.current();
      rememberDurationsLater(deps.store, input.entries, (err) => log.warn('could not remember task durations', { error: err.message }));
    },
    earlierRun: (input: { workflowId: string }) => earlierRun(deps, input),
    findReusable: (input: { keys: string[] }) => findReusable(deps, input),
    mapItems: (input: MapSource) => mapItems(deps, input),
    gatherMap: (input: GatherInput) => gatherMap(deps, input),
    storePage: (input: { name: string; index: number; text: string }) => storePage(deps, input),
    readPage: (input: { ref: string }) => readPage(deps, input),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps } from './deps';
