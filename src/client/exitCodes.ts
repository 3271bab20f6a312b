// Exit codes of the dagent CLI, and the typed error that carries one.
import type { RunResult } from '../run/types';

export const EXIT = {
  ok: 0,
  /** A task failed or was skipped, or the run failed. */
  runFailed: 1,
  /** Invalid input, usage or configuration. */
  usage: 2,
  cancelled: 3,
  temporalUnreachable: 4,
  interrupted: 130,
} as const;

export class CliError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
    this.name = 'CliError';
  }
}

/** A finished run's exit code: 0 when it completed, 3 when cancelled, else 1. */
export function exitCodeOf(result: RunResult): number {
  return result.status === 'Completed' ? EXIT.ok : result.status === 'Cancelled' ? EXIT.cancelled : EXIT.runFailed;
}
