// The one place that decides whether an LLM error is worth retrying. Temporal does the retrying:
// the SDK client is built with maxRetries 0, and a retry-after header becomes nextRetryDelay
// (capped: a server asking for a year must not park a task for a year).
import Anthropic from '@anthropic-ai/sdk';
import { ApplicationFailure } from '@temporalio/common';

export const LLM_FAILURE_TYPES = {
  rateLimited: 'LlmRateLimited',
  overloaded: 'LlmOverloaded',
  serverError: 'LlmServerError',
  connection: 'LlmConnectionError',
  streamCut: 'LlmStreamCut',
  timeout: 'LlmTimeout',
  rejected: 'LlmRequestRejected',
  contextOverflow: 'LlmContextWindowExceeded',
  badAnswer: 'LlmBadAnswer',
  refused: 'LlmRefused',
  /** Provider trouble outlasted the run's providerRetryFor. */
  providerUnavailable: 'LlmProviderUnavailable',
} as const;

/**
 * The provider's trouble, not the task's: retried inside the attempt for the run's
 * providerRetryFor without using up `retries`, and counted by the worker's circuit breaker.
 * A stream cut mid-answer is not here: the provider was up and answering.
 */
export const PROVIDER_TROUBLE_TYPES: ReadonlySet<string> = new Set([
  LLM_FAILURE_TYPES.rateLimited,
  LLM_FAILURE_TYPES.overloaded,
  LLM_FAILURE_TYPES.serverError,
  LLM_FAILURE_TYPES.connection,
  LLM_FAILURE_TYPES.timeout,
]);

/** The longest wait a server may ask for between attempts; a longer retry-after is cut to this. */
export const MAX_SERVER_RETRY_DELAY_MS = 10 * 60_000;

/** Set when the API had begun to answer (the response arrived) before the error. */
export interface AnswerProgress {
  receivedChars: number;
}

export function classifyLlmError(err: unknown, attempt: number, answer?: AnswerProgress): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const details = [{ attempt }];

  if (err instanceof Anthropic.APIConnectionTimeoutError) {
    return ApplicationFailure.create({ message: 'Anthropic API request timed out', type: LLM_FAILURE_TYPES.timeout, details });
  }
  // Once the answer is under way the API was reachable: what broke is this one stream.
  if (answer && isCut(err)) {
    return ApplicationFailure.create({
      message: `the Anthropic API answer stream was cut mid-answer after ${answer.receivedChars} characters (${rootCause(err)})`,
      type: LLM_FAILURE_TYPES.streamCut,
      details,
    });
  }
  if (err instanceof Anthropic.APIConnectionError) {
    return ApplicationFailure.create({ message: `Anthropic API unreachable: ${rootCause(err)}`, type: LLM_FAILURE_TYPES.connection, details });
  }
  if (err instanceof Anthropic.APIError && typeof err.status === 'number') {
    const status = err.status;
    const message = `Anthropic API ${status}${apiErrorType(err) ? ` ${apiErrorType(err)}` : ''}: ${apiMessage(err)}`;
    if (status === 429) return serverPaced(message, LLM_FAILURE_TYPES.rateLimited, err.headers, details);
    if (status === 529) return serverPaced(message, LLM_FAILURE_TYPES.overloaded, err.headers, details);
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
  // An unexpected reply (or an error event inside the stream): worth another attempt.
  const message = err instanceof Error ? err.message : String(err);
  return ApplicationFailure.create({ message: `Anthropic API call failed: ${message}`, type: LLM_FAILURE_TYPES.serverError, details });
}

/** A retryable failure whose next attempt waits as long as the server asked, up to the cap. */
function serverPaced(message: string, type: string, headers: Headers | undefined, details: unknown[]): ApplicationFailure {
  const asked = retryAfterMs(headers);
  if (asked === undefined || asked <= MAX_SERVER_RETRY_DELAY_MS) return ApplicationFailure.create({ message, type, details, nextRetryDelay: asked });
  // Said in the message, which becomes the Retrying reason: otherwise a 10-minute pause after
  // a server asked for days looks like a bug in one direction or the other.
  return ApplicationFailure.create({
    message: `${message} (the API asked to wait ${formatWait(asked)}; waiting ${formatWait(MAX_SERVER_RETRY_DELAY_MS)}, dagent's cap)`,
    type,
    details,
    nextRetryDelay: MAX_SERVER_RETRY_DELAY_MS,
  });
}

function formatWait(ms: number): string {
  if (ms % 60_000 === 0 && ms < 24 * 3_600_000) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}

/**
 * A transport failure, or an answer that stopped before its end. Not an error the API itself
 * sent (a status, or an error event in the stream) and not a reply we could not parse.
 */
function isCut(err: unknown): boolean {
  if (err instanceof Anthropic.APIError && !(err instanceof Anthropic.APIConnectionError)) return false;
  for (let e: unknown = err; e instanceof Error; e = e.cause) if (e instanceof SyntaxError) return false;
  return true;
}

/** The innermost cause's message ("other side closed", "connect ECONNREFUSED …"), not the SDK's generic "Connection error.". */
function rootCause(err: unknown): string {
  let e: unknown = err;
  for (let depth = 0; depth < 10; depth++) {
    const next = e instanceof AggregateError && e.errors.length > 0 ? e.errors[0] : e instanceof Error ? e.cause : undefined;
    if (!(next instanceof Error)) break;
    e = next;
  }
  return e instanceof Error ? e.message : String(e);
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
