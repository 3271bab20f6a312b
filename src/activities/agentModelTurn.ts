// agentModelTurn: one turn of an agent task. It loads the conversation (or starts it on turn 1),
// appends the previous turn's tool results, calls the model with the task's tools, stores the
// grown conversation as a new file, and returns its reference with the tool calls asked for; an
// answer without tool calls is the task's output. Safe to run again: each turn writes its own file.
import type Anthropic from '@anthropic-ai/sdk';
import { Context } from '@temporalio/activity';
import { conversationWithResults, startConversation } from '../agent/startConversation';
import { TOOL_DEFINITIONS, toolSummary } from '../agent/toolDefinitions';
import { withCacheBreakpoint, type Conversation } from '../agent/conversation';
import { callModel } from '../llm/callModel';
import { DEFAULT_TASK_MAX_TOKENS, taskAnswer } from '../llm/taskAnswer';
import type { AgentTurnInput, AgentTurnOutcome } from '../run/agentTypes';
import { DEFAULT_PRICES, withCost } from '../run/prices';
import { keySegment } from '../store/resultStore';
import { runKeyOf, type ActivityDeps } from './deps';
import { storeOutput } from './storeOutput';

export async function agentModelTurn(deps: ActivityDeps, input: AgentTurnInput): Promise<AgentTurnOutcome> {
  const ctx = Context.current();
  const { task } = input;
  const conversation: Conversation = input.conversationRef ? await conversationWithResults(deps.store, input.conversationRef, input.toolResults) : await startConversation(deps.store, input);
  const model = task.model ?? input.model ?? deps.llm.defaultModel;
  const maxTokens = task.maxTokens ?? DEFAULT_TASK_MAX_TOKENS;
  const tools = [...input.tools.map((name) => TOOL_DEFINITIONS[name]), ...(input.mcpServers ? await deps.mcp.tools(input.mcpServers) : [])];
  const answer = await callModel(ctx, deps, {
    model,
    max_tokens: maxTokens,
    system: [{ type: 'text', text: conversation.system, cache_control: { type: 'ephemeral' } }],
    ...(tools.length > 0 ? { tools, tool_choice: input.lastTurn ? { type: 'none' } : { type: 'auto' } } : {}),
    messages: withCacheBreakpoint(conversation.messages),
  }, { patience: input.patience });
  const grown: Conversation = { ...conversation, messages: [...conversation.messages, { role: 'assistant', content: answer.message.content as Anthropic.ContentBlockParam[] }] };
  const conversationRef = await deps.store.put(`${runKeyOf(ctx)}/agent/${keySegment(task.id)}/turn-${input.turn}.json`, JSON.stringify(grown));
  const usage = withCost(answer.usage, model, input.prices ?? DEFAULT_PRICES);

  const toolCalls = answer.message.content.flatMap((b) => (b.type === 'tool_use' ? [{ id: b.id, name: b.name, summary: toolSummary(b.name, b.input) }] : []));
  if (toolCalls.length > 0) return { conversationRef, toolCalls, usage };

  const { text, truncated } = taskAnswer(answer, maxTokens, ctx.info.attempt);
  const final = await storeOutput(deps, ctx, task.id, text, { usage, attempt: 1, truncated, model });
  return { conversationRef, toolCalls: [], usage, final };
}
