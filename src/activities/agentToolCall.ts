// agentToolCall: one tool call of an agent task, its own activity with its own retries. The call's
// input is read from the stored conversation by its id (a write_file's content never passes
// through history); the result is stored and returned by reference.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { lastToolUses, loadConversation } from '../agent/conversation';
import { runAgentTool } from '../agent/runAgentTool';
import type { AgentToolInput, AgentToolResult } from '../run/agentTypes';
import { keySegment } from '../store/resultStore';
import { runKeyOf, type ActivityDeps } from './deps';
import { heartbeatEveryMs } from '../temporal/heartbeatInterval';

export async function agentToolCall(deps: ActivityDeps, input: AgentToolInput): Promise<AgentToolResult> {
  const ctx = Context.current();
  const use = lastToolUses(await loadConversation(deps.store, input.conversationRef)).find((u) => u.id === input.call.id);
  if (!use) throw ApplicationFailure.create({ message: `tool call ${input.call.id} is not in the conversation ${input.conversationRef}`, type: 'AgentStateLost', nonRetryable: true });
  const beat = setInterval(() => ctx.heartbeat(input.call.summary), heartbeatEveryMs(ctx));
  try {
    const run = await runAgentTool(ctx, { name: use.name, input: use.input, workdir: input.workdir, tools: input.tools, shellEnv: deps.shellEnv, mcp: deps.mcp, mcpServers: input.mcpServers });
    const resultRef = await deps.store.put(`${runKeyOf(ctx)}/agent/${keySegment(input.taskId)}/turn-${input.turn}-${keySegment(use.id)}.txt`, run.text);
    return { id: use.id, resultRef, isError: run.isError, ...(run.readPath ? { readPath: run.readPath } : {}) };
  } finally {
    clearInterval(beat);
  }
}
