// How often a working activity heartbeats: often enough for Temporal to notice a dead worker
// and to deliver a cancellation within seconds.
import type { Context } from '@temporalio/activity';

export function heartbeatEveryMs(ctx: Context): number {
  const timeout = ctx.info.heartbeatTimeoutMs;
  return Math.max(100, Math.min(1000, timeout ? Math.floor(timeout / 3) : 1000));
}
