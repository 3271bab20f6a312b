// The agentTask workflow: one anthropic task as a durable agent loop, a child of its run. Each
// model call and each tool call is its own activity with its own retry policy; the conversation
// lives in the result store and history carries references. A worker killed at turn 6 leaves
// turns 1-5 in history: the loop goes on at turn 6 and no earlier turn is sent again.
// Deterministic workflow code.
import { proxyActivities, setCurrentDetails, getExternalWorkflowHandle, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AgentProgressNotice, AgentTaskInput, AgentToolResult } from '../run/agentTypes';
import { durationToMs } from '../plan/schema';
import { addUsage, NO_USAGE, totalTokens, type TaskOutcome } from '../run/types';
import { agentProgressSignal } from './messages';

export async function agentTask(input: AgentTaskInput): Promise<TaskOutcome> {
  const { task } = input;
  // A summary per call, so the Web UI's event list reads `T-03 · turn 4 · read_file src/x.ts`.
  // Model turns retry as the task does; a tool call's retries are few and short.
  const calls = (summary: string, maximumAttempts: number, maximumInterval: string, startToCloseTimeout: string | number = input.timeout) =>
    proxyActivities<Activities>({
      summary,
      ...(input.activityQueue ? { taskQueue: input.activityQueue } : {}),
      startToCloseTimeout,
      heartbeatTimeout: input.heartbeatTimeout,
      retry: { maximumAttempts, initialInterval: input.retryInitialInterval, backoffCoefficient: 2, maximumInterval },
    });
  // A model turn may wait out provider trouble inside its attempt: that time comes on top of the timeout.
  const model = (summary: string) => calls(summary, input.maxAttempts, '2m', durationToMs(input.timeout) + (input.patience?.retryForMs ?? 0));
  const tools = (summary: string) => calls(summary, 3, '1m');
  const { maxTurns, timeout: _t, heartbeatTimeout: _h, retryInitialInterval: _r, maxAttempts: _m, activityQueue: _q, parentWorkflowId, ...turnBase } = input;
  const show = async (activity: string) => {
    setCurrentDetails(`**${task.id} · ${task.title}**\n\n${activity}`);
    if (parentWorkflowId) await getExternalWorkflowHandle(parentWorkflowId).signal(agentProgressSignal, { taskId: task.id, activity } satisfies AgentProgressNotice).catch(() => undefined);
  };

  let usage = NO_USAGE;
  let conversationRef: string | undefined;
  let toolResults: AgentToolResult[] = [];
  const filesRead = new Set<string>();
  for (let turn = 1; ; turn++) {
    await show(`turn ${turn} · thinking`);
    // The last turn (by count or by the task's token budget) must answer without tools.
    const lastTurn = turn >= maxTurns || (task.tokenBudget !== undefined && totalTokens(usage) >= task.tokenBudget);
    const answer = await model(`${task.id} · turn ${turn} · model`).agentModelTurn({ ...turnBase, turn, ...(conversationRef ? { conversationRef } : {}), toolResults, lastTurn });
    usage = addUsage(usage, answer.usage);
    conversationRef = answer.conversationRef;
    if (answer.final) return { ...answer.final, usage, ...(filesRead.size > 0 ? { filesRead: [...filesRead].sort() } : {}) };
    await show(`turn ${turn} · ${answer.toolCalls.map((c) => c.summary).join(', ')}`);
    const ref = conversationRef;
    toolResults = await Promise.all(
      answer.toolCalls.map((call) => tools(`${task.id} · turn ${turn} · ${call.summary}`).agentToolCall({ conversationRef: ref, call, workdir: input.workdir, tools: input.tools, ...(input.mcpServers ? { mcpServers: input.mcpServers } : {}), taskId: task.id, turn })),
    );
    for (const r of toolResults) if (r.readPath && !r.isError) filesRead.add(r.readPath);
  }
}

/** The id of a task's agent workflow: under its run, and new for each operator retry. */
export function agentWorkflowId(task: { id: string }, startNumber: number): string {
  return `${workflowInfo().workflowId}/${task.id}${startNumber <= 1 ? '' : `:${startNumber}`}`;
}
