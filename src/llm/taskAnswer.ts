// A model's final answer as a task's output, the same for a single completion and an agent's
// last turn: an empty answer is a failure worth retrying, one cut by maxTokens says so.
import { ApplicationFailure } from '@temporalio/common';
import type { ModelAnswer } from './callModel';
import { LLM_FAILURE_TYPES } from './classifyLlmError';

export const DEFAULT_TASK_MAX_TOKENS = 8192;

export function taskAnswer(answer: ModelAnswer, maxTokens: number, attempt: number): { text: string; truncated: boolean } {
  if (!answer.text.trim()) {
    throw ApplicationFailure.create({ message: 'the model returned an empty answer', type: LLM_FAILURE_TYPES.badAnswer, details: [{ attempt }] });
  }
  const truncated = answer.message.stop_reason === 'max_tokens';
  return { text: truncated ? `${answer.text}\n\n[output cut: the model reached maxTokens (${maxTokens})]` : answer.text, truncated };
}
