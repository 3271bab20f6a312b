// The anthropic backend: one streamed Messages API call with heartbeats.
import { callModel } from '../llm/callModel';
import { DEFAULT_TASK_MAX_TOKENS, taskAnswer } from '../llm/taskAnswer';
import { promptBlocks } from '../llm/promptBlocks';
import { DEFAULT_TASK_SYSTEM_PROMPT } from '../run/taskPrompt';
import type { Backend, BackendRequest, BackendResult } from './types';

export const anthropicBackend: Backend = {
  async run({ task, prompt, parts, systemPrompt, model, ctx, llm, patience, notice }: BackendRequest): Promise<BackendResult> {
    const maxTokens = task.maxTokens ?? DEFAULT_TASK_MAX_TOKENS;
    const chosen = model ?? llm.llm.defaultModel;
    const answer = await callModel(ctx, llm, {
      model: chosen,
      max_tokens: maxTokens,
      system: [{ type: 'text', text: systemPrompt ?? DEFAULT_TASK_SYSTEM_PROMPT, cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: parts ? promptBlocks(parts) : prompt }],
    }, { patience, notice });
    const { text: output, truncated } = taskAnswer(answer, maxTokens, ctx.info.attempt);
    return { output, usage: answer.usage, truncated, model: chosen };
  },
};
