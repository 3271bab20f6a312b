// The anthropic backend: one streamed Messages API call with heartbeats.
import type Anthropic from '@anthropic-ai/sdk';
import { ApplicationFailure } from '@temporalio/activity';
import { callModel, createAnthropicClient } from '../llm/callModel';
import { LLM_FAILURE_TYPES } from '../llm/classifyLlmError';
import { DEFAULT_TASK_SYSTEM_PROMPT, type PromptParts } from '../run/taskPrompt';
import type { Backend, BackendRequest, BackendResult } from './types';

const DEFAULT_MAX_TOKENS = 8192;

export const anthropicBackend: Backend = {
  async run({ task, prompt, parts, systemPrompt, model, ctx, llm }: BackendRequest): Promise<BackendResult> {
    const maxTokens = task.maxTokens ?? DEFAULT_MAX_TOKENS;
    const chosen = model ?? llm.defaultModel;
    const answer = await callModel(ctx, createAnthropicClient(llm), {
      model: chosen,
      max_tokens: maxTokens,
      system: [{ type: 'text', text: systemPrompt ?? DEFAULT_TASK_SYSTEM_PROMPT, cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: parts ? cachedContent(parts) : prompt }],
    });
    if (!answer.text.trim()) {
      throw ApplicationFailure.create({ message: 'the model returned an empty answer', type: LLM_FAILURE_TYPES.badAnswer, details: [{ attempt: ctx.info.attempt }] });
    }
    const truncated = answer.message.stop_reason === 'max_tokens';
    const output = truncated ? `${answer.text}\n\n[output cut: the model reached maxTokens (${maxTokens})]` : answer.text;
    return { output, usage: answer.usage, truncated, model: chosen };
  },
};

/**
 * Context that sibling tasks share (the goal, common upstream outputs) comes first and is marked
 * for Anthropic's prompt cache, so siblings after the first read it at a fraction of the price.
 */
function cachedContent(parts: PromptParts): Anthropic.TextBlockParam[] {
  const shared = parts.shared.map((text, i): Anthropic.TextBlockParam => (i === parts.shared.length - 1 ? { type: 'text', text, cache_control: { type: 'ephemeral' } } : { type: 'text', text }));
  return [...shared, { type: 'text', text: parts.own }];
}
