// An agent task's conversation lives in the result store, one JSON file per turn; history carries
// only its reference, so a 50-turn task stays far from any history limit.
import type Anthropic from '@anthropic-ai/sdk';
import type { ResultStore } from '../store/resultStore';

export interface Conversation {
  system: string;
  messages: Anthropic.MessageParam[];
}

export async function loadConversation(store: ResultStore, ref: string): Promise<Conversation> {
  return JSON.parse(await store.get(ref)) as Conversation;
}

/**
 * The messages as sent: a cache breakpoint on the last block, so each turn reads the whole
 * conversation before it from Anthropic's prompt cache (the first message keeps its own
 * breakpoint after the shared context). Stored messages carry no moving breakpoint.
 */
export function withCacheBreakpoint(messages: Anthropic.MessageParam[]): Anthropic.MessageParam[] {
  if (messages.length < 2) return messages;
  const last = messages.at(-1)!;
  const content: Anthropic.ContentBlockParam[] = typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : [...last.content];
  const tail = content.at(-1);
  if (tail && (tail.type === 'text' || tail.type === 'tool_result')) content[content.length - 1] = { ...tail, cache_control: { type: 'ephemeral' } };
  return [...messages.slice(0, -1), { ...last, content } as Anthropic.MessageParam];
}

/** The tool_use blocks of the conversation's last answer. */
export function lastToolUses(conversation: Conversation): Anthropic.ToolUseBlockParam[] {
  const last = [...conversation.messages].reverse().find((m) => m.role === 'assistant');
  if (!last || typeof last.content === 'string') return [];
  return last.content.filter((b): b is Anthropic.ToolUseBlockParam => b.type === 'tool_use');
}
