// Writes no task waits for: the cross-run cache's index (reuse.ts) and the duration memo
// (taskDurations.ts). A worker process files them one at a time while no task is at work in it
// (or once a backlog builds), so that they never slow the tasks: every task waits for its own
// output's write, and in a fan-out of 500, index writes made as tasks completed took a third of
// dagent's time over the raw workflow. Best effort: a lost entry only means a later run knows less.
import { tasksAtWork, whenIdle } from './tasksAtWork';

interface Job {
  file: () => Promise<void>;
  onError: (err: Error) => void;
}

/** Jobs not run yet, oldest first. */
const waiting: Job[] = [];
/** The filing loop while it runs. */
let filing: Promise<void> | undefined;
/** Wakes the filing loop while it waits for its turn: when the last task at work ends, or a backlog builds. */
let wakeFiling: (() => void) | undefined;
whenIdle(() => wakeFiling?.());
/** Past this many jobs waiting, new ones are dropped (said through onError). */
const MAX_WAITING = 10_000;
/** Past this many jobs waiting, they are run while tasks are at work too. */
export const FILE_UNDER_LOAD_PAST = 1_000;

/** Runs `file` in the background when this worker has no task at work; its failure goes to `onError`. */
export function fileInBackground(file: () => Promise<void>, onError: (err: Error) => void): void {
  if (waiting.length >= MAX_WAITING) {
    onError(new Error(`${MAX_WAITING} writes are already waiting to be filed`));
    return;
  }
  waiting.push({ file, onError });
  if (waiting.length > FILE_UNDER_LOAD_PAST) wakeFiling?.();
  filing ??= fileWaiting();
}

/**
 * Waits until every job waiting has run (or failed), for at most `withinMs`: a closing worker waits
 * for it. Returns how many were still waiting then (a store that hangs must not keep a worker from
 * stopping).
 */
export async function backgroundFilingDone(withinMs: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), withinMs)));
  try {
    // The loop may start again for jobs added meanwhile.
    while (filing && (await Promise.race([filing, late])) !== 'late');
  } finally {
    clearTimeout(timer);
  }
  return waiting.length;
}

async function fileWaiting(): Promise<void> {
  try {
    while (waiting.length > 0) {
      if (waiting.length <= FILE_UNDER_LOAD_PAST && tasksAtWork() > 0) {
        await new Promise<void>((resolve) => (wakeFiling = resolve));
        wakeFiling = undefined;
        continue;
      }
      // After the last task's result has gone back to the server.
      await new Promise((resolve) => setImmediate(resolve));
      const next = waiting.shift()!;
      await next.file().catch((err: unknown) => next.onError(err as Error));
    }
  } finally {
    filing = undefined;
  }
}
