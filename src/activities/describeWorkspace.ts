// describeWorkspace: summarises the run's workspace for the planner (file tree as git sees it,
// languages, README opening), stores the summary, and returns its reference: history carries the
// reference, never the tree.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { WorkspaceSummary } from '../run/types';
import { summarizeWorkspace } from '../workspace/summarizeWorkspace';
import { Workspace } from '../workspace/workspace';
import { runKeyOf, type ActivityDeps } from './deps';

export async function describeWorkspace(deps: ActivityDeps, input: { workdir: string }): Promise<WorkspaceSummary> {
  const ctx = Context.current();
  const ws = await Workspace.open(input.workdir).catch((err: Error) => {
    throw ApplicationFailure.create({ message: `workdir ${input.workdir}: ${err.message} on this worker`, type: 'WorkdirMissing', nonRetryable: true });
  });
  const summary = await summarizeWorkspace(ws);
  const summaryRef = await deps.store.put(`${runKeyOf(ctx)}/workspace.md`, summary.text);
  return { root: ws.root, summaryRef, files: summary.files, bytes: summary.bytes };
}
