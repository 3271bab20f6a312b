// runTask: one task's agent call. Reads upstream outputs by reference, calls the model, stores
// the output, and returns a reference and a preview. Safe to run more than once.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { callModel, createAnthropicClient } from '../llm/callModel';
import { LLM_FAILURE_TYPES } from '../llm/classifyLlmError';
import { buildTaskPrompt, DEFAULT_TASK_SYSTEM_PROMPT, previewOf } from '../run/taskPrompt';
import type { RunTaskInput, TaskOutcome } from '../run/types';
import { keySegment } from '../store/resultStore';
import { reportAttempt, runKeyOf, type ActivityDeps } from './deps';

/** Outputs up to this size also travel inline in history; larger ones only by reference. */
export const INLINE_OUTPUT_LIMIT = 8 * 1024;
const DEFAULT_MAX_TOKENS = 8192;

export async function runTask(deps: ActivityDeps, input: RunTaskInput): Promise<TaskOutcome> {
  const ctx = Context.current();
  const { task } = input;
  const attempt = ctx.info.attempt;
  if (attempt > 1) await reportAttempt(deps, ctx, { taskId: task.id, attempt });

  const upstream = await Promise.all(input.upstream.map(async (u) => ({ id: u.id, title: u.title, text: await deps.store.get(u.outputRef) })));
  const client = createAnthropicClient(deps.llm);
  let answer;
  try {
    answer = await callModel(ctx, client, {
      model: task.model ?? input.model ?? deps.llm.defaultModel,
      max_tokens: task.maxTokens ?? DEFAULT_MAX_TOKENS,
      system: task.systemPrompt ?? DEFAULT_TASK_SYSTEM_PROMPT,
      messages: [{ role: 'user', content: buildTaskPrompt(task, input.goal, upstream) }],
    });
    if (!answer.text.trim()) {
      throw ApplicationFailure.create({ message: 'the model returned an empty answer', type: LLM_FAILURE_TYPES.badAnswer, details: [{ attempt }] });
    }
  } catch (err) {
    if (err instanceof ApplicationFailure && !err.nonRetryable) await reportAttempt(deps, ctx, { taskId: task.id, attempt, error: err.message });
    throw err;
  }

  const truncated = answer.message.stop_reason === 'max_tokens';
  const text = truncated ? `${answer.text}\n\n[output cut: the model reached maxTokens (${task.maxTokens ?? DEFAULT_MAX_TOKENS})]` : answer.text;
  const outputRef = await deps.store.put(`${runKeyOf(ctx)}/${keySegment(task.id)}.md`, text);
  const bytes = Buffer.byteLength(text, 'utf8');
  return {
    outputRef,
    output: bytes <= INLINE_OUTPUT_LIMIT ? text : undefined,
    preview: previewOf(text),
    outputBytes: bytes,
    usage: answer.usage,
    attempt,
    truncated,
  };
}
