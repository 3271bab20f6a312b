// The Anthropic SDK prints its warnings (a deprecated model, a deprecated option) with
// console.warn, straight onto the stderr that carries the live task table, and on every call.
// Here they go to the worker's log instead, at warn level, once per distinct message.
import { Runtime } from '@temporalio/worker';

const SDK_FRAME = /node_modules[\\/]@anthropic-ai[\\/]sdk[\\/]/;

let installed = false;
const logged = new Set<string>();

/**
 * Wraps console.warn: calls made from the Anthropic SDK's own code are logged through the
 * Temporal Runtime logger; every other call passes through unchanged. Idempotent. Call it when
 * the worker starts, after Runtime.install (the logger is looked up at the first warning, so
 * installing this first does not install a default runtime).
 */
export function routeSdkWarnings(): void {
  if (installed) return;
  installed = true;
  const original = console.warn;
  console.warn = function warn(...args: unknown[]): void {
    if (!calledFromSdk()) return original.apply(console, args);
    const message = args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : safeJson(a))).join(' ');
    if (logged.has(message)) return;
    logged.add(message);
    Runtime.instance().logger.warn(message, { source: '@anthropic-ai/sdk' });
  };
}

/** Whether the caller of console.warn is SDK code (the frame just above the wrapper). */
function calledFromSdk(): boolean {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 4;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  // Frames: this function, the wrapper, then whoever called console.warn.
  const caller = stack.split('\n').slice(1).find((line, i) => i >= 2 && line.trim().startsWith('at '));
  return caller !== undefined && SDK_FRAME.test(caller);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
