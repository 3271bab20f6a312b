// What the activities need from the worker that hosts them: settings, the result store, and a
// way to tell a workflow that one of its tasks is being retried.
import { Context } from '@temporalio/activity';
import type { McpPool } from '../agent/mcpPool';
import type { LlmAccess } from '../llm/callModel';
import type { RunResult, TaskAttemptNotice } from '../run/types';
import { keySegment, type ResultStore } from '../store/resultStore';
import type { RecentWrites } from '../store/recentWrites';

export interface ActivityDeps extends LlmAccess {
  store: ResultStore;
  /** What `store` wrote lately, in memory (when the worker keeps it): upstream outputs are read here first. */
  recent?: RecentWrites;
  /** The worker's variables a shell task may see (an allow-list). */
  shellEnv: NodeJS.ProcessEnv;
  /** The MCP servers this worker started for agent tasks. */
  mcp: McpPool;
  /** The result of a closed run (for a rerun); throws a non-retryable failure saying why there is none. */
  runResultOf?: (workflowId: string) => Promise<RunResult>;
  /** Best effort: the live table shows Retrying; the result is right without it. */
  notifyAttempt?: (workflowId: string, runId: string, notice: TaskAttemptNotice) => Promise<void>;
}

/** The result-store folder of the run the current activity belongs to. */
export function runKeyOf(ctx: Context): string {
  const { workflowId, runId } = workflowOf(ctx);
  return `${keySegment(workflowId)}/${keySegment(runId)}`;
}

export async function reportAttempt(deps: ActivityDeps, ctx: Context, notice: TaskAttemptNotice): Promise<void> {
  if (!deps.notifyAttempt) return;
  const { workflowId, runId } = workflowOf(ctx);
  try {
    await deps.notifyAttempt(workflowId, runId, notice);
  } catch (err) {
    ctx.log.warn('could not report a retry to the workflow', { taskId: notice.taskId, error: (err as Error).message });
  }
}

function workflowOf(ctx: Context): { workflowId: string; runId: string } {
  const execution = ctx.info.workflowExecution;
  if (!execution) throw new Error('dagent activities run only inside a workflow');
  return execution;
}
