// Provider trouble is not the task's fault: a 429, 529, 5xx, a connection that fails or a request
// with no first byte in time is retried here, inside the attempt, with backoff (or the server's
// retry-after) for a time budget, and never uses up the task's `retries`. Only when the provider
// has been failing for longer than the budget does the task fail, for good, saying so. Every call
// passes the worker's circuit breaker for the provider first: while it is open the task waits
// (heartbeating, cancellable) and no call goes out.
import { ApplicationFailure, type Context } from '@temporalio/activity';
import { CircuitBreaker, DEFAULT_BREAKER, type BreakerSettings, type BreakerState } from './circuitBreaker';
import { LLM_FAILURE_TYPES, PROVIDER_TROUBLE_TYPES } from './classifyLlmError';
import { heartbeatEveryMs } from '../temporal/heartbeatInterval';
import type { Patience } from '../run/types';
export type { Patience } from '../run/types';


export const DEFAULT_PATIENCE: Patience = { retryForMs: 30 * 60_000, backoffMs: 2_000 };
const MAX_BACKOFF_MS = 60_000;

/** Shown in the live table while a task waits (status Retrying). */
export type WaitNotice = (reason: string) => Promise<void> | void;

export type BreakerLog = (provider: string, state: BreakerState, detail: string) => void;

/** One breaker per provider and per worker's settings object. */
const breakers = new WeakMap<object, CircuitBreaker>();

export function breakerFor(owner: object, provider: string, settings: BreakerSettings = DEFAULT_BREAKER, log?: BreakerLog): CircuitBreaker {
  let breaker = breakers.get(owner);
  if (!breaker) {
    breaker = new CircuitBreaker(provider, settings, log);
    breakers.set(owner, breaker);
  }
  return breaker;
}

export async function withProviderRetries<T>(ctx: Context, breaker: CircuitBreaker, patience: Patience, call: () => Promise<T>, notice: WaitNotice = () => {}): Promise<T> {
  let troubleSince: number | undefined;
  let failures = 0;
  for (;;) {
    const gate = breaker.request(Date.now());
    if (!gate.go) {
      if (gate.state === 'open') await notice(`circuit open for ${breaker.provider} until ${clockTime(gate.until)}`);
      await waitHeartbeating(ctx, gate.until - Date.now());
      continue;
    }
    try {
      const result = await call();
      breaker.succeeded(gate.probe);
      return result;
    } catch (err) {
      if (ctx.cancellationSignal.aborted) {
        breaker.abandoned(gate.probe);
        throw err;
      }
      if (!(err instanceof ApplicationFailure) || !PROVIDER_TROUBLE_TYPES.has(err.type ?? '')) {
        breaker.succeeded(gate.probe);
        throw err;
      }
      const now = Date.now();
      breaker.failed(gate.probe, now);
      troubleSince ??= now;
      failures++;
      const delay = err.nextRetryDelay !== undefined && err.nextRetryDelay !== null ? msOf(err.nextRetryDelay) : jittered(Math.min(MAX_BACKOFF_MS, patience.backoffMs * 2 ** (failures - 1)));
      if (now + delay - troubleSince > patience.retryForMs) {
        throw ApplicationFailure.create({
          message: `${err.message} (the provider has failed ${failures} times over ${seconds(now - troubleSince)}; giving up after providerRetryFor ${seconds(patience.retryForMs)})`,
          type: LLM_FAILURE_TYPES.providerUnavailable,
          nonRetryable: true,
          details: err.details ?? undefined,
        });
      }
      await notice(err.message);
      await waitHeartbeating(ctx, delay);
    }
  }
}

/** Sleeps, beating so Temporal sees the worker alive, and ends early when the activity is cancelled. */
async function waitHeartbeating(ctx: Context, ms: number): Promise<void> {
  const end = Date.now() + Math.max(0, ms);
  while (Date.now() < end) {
    ctx.heartbeat();
    await ctx.sleep(Math.min(end - Date.now(), heartbeatEveryMs(ctx)));
  }
}

/** Between half and all of the backoff, so that tasks held back together do not return together. */
function jittered(ms: number): number {
  return Math.round(ms * (0.5 + Math.random() / 2));
}

function msOf(delay: unknown): number {
  return typeof delay === 'number' ? delay : Number(delay) || 0;
}

function seconds(ms: number): string {
  return ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}

/** The worker's local time of day, HH:MM:SS, as the reason a person reads in the live table. */
function clockTime(epochMs: number): string {
  return new Date(epochMs).toTimeString().slice(0, 8);
}
