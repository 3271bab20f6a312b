// The anthropic backend: one streamed Messages API call with heartbeats.
import { ApplicationFailure } from '@temporalio/activity';
import { callModel, createAnthropicClient } from '../llm/callModel';
import { LLM_FAILURE_TYPES } from '../llm/classifyLlmError';
import { DEFAULT_TASK_SYSTEM_PROMPT } from '../run/taskPrompt';
import type { Backend, BackendRequest, BackendResult } from './types';

const DEFAULT_MAX_TOKENS = 8192;

export const anthropicBackend: Backend = {
  async run({ task, prompt, systemPrompt, model, ctx, llm }: BackendRequest): Promise<BackendResult> {
    const maxTokens = task.maxTokens ?? DEFAULT_MAX_TOKENS;
    const answer = await callModel(ctx, createAnthropicClient(llm), {
      model: model ?? llm.defaultModel,
      max_tokens: maxTokens,
      system: systemPrompt ?? DEFAULT_TASK_SYSTEM_PROMPT,
      messages: [{ role: 'user', content: prompt }],
    });
    if (!answer.text.trim()) {
      throw ApplicationFailure.create({ message: 'the model returned an empty answer', type: LLM_FAILURE_TYPES.badAnswer, details: [{ attempt: ctx.info.attempt }] });
    }
    const truncated = answer.message.stop_reason === 'max_tokens';
    const output = truncated ? `${answer.text}\n\n[output cut: the model reached maxTokens (${maxTokens})]` : answer.text;
    return { output, usage: answer.usage, truncated };
  },
};
