// The one place that decides whether an LLM error is worth retrying. Temporal does the retrying:
// the SDK client is built with maxRetries 0, and a retry-after header becomes nextRetryDelay.
import Anthropic from '@anthropic-ai/sdk';
import { ApplicationFailure } from '@temporalio/common';

export const LLM_FAILURE_TYPES = {
  rateLimited: 'LlmRateLimited',
  overloaded: 'LlmOverloaded',
  serverError: 'LlmServerError',
  connection: 'LlmConnectionError',
  timeout: 'LlmTimeout',
  rejected: 'LlmRequestRejected',
  contextOverflow: 'LlmContextWindowExceeded',
  badAnswer: 'LlmBadAnswer',
  refused: 'LlmRefused',
} as const;

export function classifyLlmError(err: unknown, attempt: number): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const details = [{ attempt }];

  if (err instanceof Anthropic.APIConnectionTimeoutError) {
    return ApplicationFailure.create({ message: 'Anthropic API request timed out', type: LLM_FAILURE_TYPES.timeout, details });
  }
  if (err instanceof Anthropic.APIConnectionError) {
    return ApplicationFailure.create({ message: `Anthropic API unreachable: ${err.message}`, type: LLM_FAILURE_TYPES.connection, details });
  }
  if (err instanceof Anthropic.APIError && typeof err.status === 'number') {
    const status = err.status;
    const message = `Anthropic API ${status}${apiErrorType(err) ? ` ${apiErrorType(err)}` : ''}: ${apiMessage(err)}`;
    if (status === 429) {
      return ApplicationFailure.create({ message, type: LLM_FAILURE_TYPES.rateLimited, details, nextRetryDelay: retryAfterMs(err.headers) });
    }
    if (status === 529) return ApplicationFailure.create({ message, type: LLM_FAILURE_TYPES.overloaded, details, nextRetryDelay: retryAfterMs(err.headers) });
    if (status >= 500 || status === 408 || status === 409) {
      return ApplicationFailure.create({ message, type: LLM_FAILURE_TYPES.serverError, details });
    }
    const overflow = status === 400 && /prompt is too long|context window|too many tokens/i.test(apiMessage(err));
    return ApplicationFailure.create({
      message,
      type: overflow ? LLM_FAILURE_TYPES.contextOverflow : LLM_FAILURE_TYPES.rejected,
      nonRetryable: true,
      details,
    });
  }
  // A stream cut mid-answer or an unexpected reply: worth another attempt.
  const message = err instanceof Error ? err.message : String(err);
  return ApplicationFailure.create({ message: `Anthropic API call failed: ${message}`, type: LLM_FAILURE_TYPES.serverError, details });
}

function apiMessage(err: InstanceType<typeof Anthropic.APIError>): string {
  const body = err.error as { error?: { message?: unknown } } | undefined;
  return typeof body?.error?.message === 'string' ? body.error.message : err.message;
}

function apiErrorType(err: InstanceType<typeof Anthropic.APIError>): string | undefined {
  const body = err.error as { error?: { type?: unknown } } | undefined;
  return typeof body?.error?.type === 'string' ? body.error.type : undefined;
}

/** retry-after-ms, or retry-after in seconds or as an HTTP date; undefined when absent. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
