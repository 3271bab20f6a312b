// Where the scrubber meets Temporal: an activity interceptor that scrubs every activity's result,
// every error it throws (message, stack, details, causes) and every heartbeat it sends, so no
// secret reaches history whatever path it took (a CLI's stderr, an API error body, a model's
// answer). It sits inside the SDK's logging interceptor, so the worker's log sees scrubbed errors too.
import type { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory } from '@temporalio/worker';
import type { Scrubber } from '../secrets/scrubber';

export function scrubInterceptor(scrubber: Scrubber): ActivityInterceptorsFactory {
  return (ctx: Context) => {
    const heartbeat = ctx.heartbeat;
    // Heartbeat details are recorded in history as they are: scrub them on the way out.
    (ctx as { heartbeat: Context['heartbeat'] }).heartbeat = (details?: unknown) => heartbeat(scrubber.scrubDeep(details));
    const inbound: ActivityInboundCallsInterceptor = {
      async execute(input, next) {
        try {
          return scrubber.scrubDeep(await next(input));
        } catch (err) {
          throw scrubError(err, scrubber, 0);
        }
      },
    };
    return { inbound };
  };
}

/** The same error with its text scrubbed; ApplicationFailure keeps its type, retry decision and delay. */
export function scrubError(err: unknown, scrubber: Scrubber, depth: number): unknown {
  if (!(err instanceof Error) || depth > 8) return err;
  if (err instanceof ApplicationFailure) {
    const scrubbed = ApplicationFailure.create({
      message: scrubber.scrub(err.message),
      type: err.type ?? undefined,
      nonRetryable: err.nonRetryable ?? false,
      details: err.details ? scrubber.scrubDeep([...err.details]) : undefined,
      nextRetryDelay: err.nextRetryDelay,
      cause: err.cause ? (scrubError(err.cause, scrubber, depth + 1) as Error) : undefined,
      category: err.category ?? undefined,
    });
    scrubbed.stack = err.stack ? scrubber.scrub(err.stack) : scrubbed.stack;
    return scrubbed;
  }
  err.message = scrubber.scrub(err.message);
  if (err.stack) err.stack = scrubber.scrub(err.stack);
  if (err.cause) err.cause = scrubError(err.cause, scrubber, depth + 1);
  return err;
}
