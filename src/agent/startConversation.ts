// The first message of an agent task (the goal, its dependencies' outputs, its own job, and where
// it works) and, on later turns, the conversation with the last tool results appended.
import type Anthropic from '@anthropic-ai/sdk';
import type { AgentToolResult, AgentTurnInput } from '../run/agentTypes';
import { promptBlocks } from '../llm/promptBlocks';
import { buildTaskPromptParts } from '../run/taskPrompt';
import type { ResultStore } from '../store/resultStore';
import { loadConversation, type Conversation } from './conversation';

export const AGENT_SYSTEM_PROMPT = [
  'You are a focused expert agent doing one task of a larger plan, in a workspace of files you can inspect with your tools.',
  'Look before you judge: list, search and read the files your task is about. Do exactly this task, nothing else.',
  'When you report findings, cite each with its file and line (path:line) and give it a severity (critical, high, medium, low, info).',
  'When you are done, answer with your final result as plain text, without calling a tool.',
].join('\n');

export async function startConversation(store: ResultStore, input: AgentTurnInput): Promise<Conversation> {
  const read = (refs: AgentTurnInput['upstream']) => Promise.all(refs.map(async (u) => ({ id: u.id, title: u.title, text: await store.get(u.outputRef) })));
  const parts = buildTaskPromptParts(input.task, input.goal, await read(input.upstream), { ancestors: input.ancestors, inherited: await read(input.inherited ?? []) });
  const where = `## Your workspace\nYour tools work in ${input.workdir}; paths are relative to it. Tools you have: ${input.tools.join(', ') || 'none'}.`;
  const system = input.task.systemPrompt ? `${AGENT_SYSTEM_PROMPT}\n\n${input.task.systemPrompt}` : AGENT_SYSTEM_PROMPT;
  return { system, messages: [{ role: 'user', content: promptBlocks(parts, `${parts.own}\n\n${where}`) }] };
}

export async function conversationWithResults(store: ResultStore, ref: string, results: AgentToolResult[]): Promise<Conversation> {
  const conversation = await loadConversation(store, ref);
  if (results.length === 0) return conversation;
  const content = await Promise.all(
    results.map(async (r): Promise<Anthropic.ToolResultBlockParam> => ({ type: 'tool_result', tool_use_id: r.id, content: await store.get(r.resultRef), ...(r.isError ? { is_error: true } : {}) })),
  );
  return { ...conversation, messages: [...conversation.messages, { role: 'user', content }] };
}
