// Writes no task waits for: the cross-run cache's index (reuse.ts) and the duration memo
// (taskDurations.ts). A worker process files them one at a time once no task has been at work in
// it for QUIET_MS (or once a backlog builds, or when it closes), so that they never slow the
// tasks: every task waits for its own output's write, and in a fan-out of 500, index writes made
// as tasks completed took a third of dagent's time over the raw workflow; made in the moment
// between one task of a chain and the next, they cost each hop ~0.2 ms. Best effort: a lost entry
// only means a later run knows less.
import type { PutOptions } from '../store/resultStore';
import { tasksAtWork, whenIdle } from './tasksAtWork';

interface Job {
  file: (how: PutOptions) => Promise<void>;
  onError: (err: Error) => void;
}

/** Jobs not run yet, oldest first. */
const waiting: Job[] = [];
/** The filing loop while it runs. */
let filing: Promise<void> | undefined;
/** Wakes the filing loop while it waits for its turn: when the last task at work ends, a backlog builds, or the worker closes. */
let wakeFiling: (() => void) | undefined;
/** When the last task at work ended. */
let idleSince = 0;
whenIdle(() => {
  idleSince = Date.now();
  wakeFiling?.();
});
/** How long no task must have been at work before filing: longer than the moment between one task of a chain and the next. */
export const QUIET_MS = 50;
/** Callers waiting for everything to be filed (a closing worker): no quiet period for them. */
let hurrying = 0;
/** Past this many jobs waiting, new ones are dropped (said through onError). */
const MAX_WAITING = 10_000;
/** Past this many jobs waiting, they are run while tasks are at work too. */
export const FILE_UNDER_LOAD_PAST = 1_000;

/** Runs `file` in the background once this worker has had no task at work for QUIET_MS; its failure goes to `onError`. False if it was refused. */
export function fileInBackground(file: (how: PutOptions) => Promise<void>, onError: (err: Error) => void): boolean {
  if (waiting.length >= MAX_WAITING) {
    onError(new Error(`${MAX_WAITING} writes are already waiting to be filed`));
    return false;
  }
  waiting.push({ file, onError });
  if (waiting.length > FILE_UNDER_LOAD_PAST) wakeFiling?.();
  filing ??= fileWaiting();
  return true;
}

/** Jobs held back for a while (see fileInBackgroundAfter), by their timers. */
const holding = new Map<NodeJS.Timeout, () => void>();

/**
 * As fileInBackground, but `file` joins the queue only `delayMs` from now (or when the worker
 * closes): for a write that gathers what comes in meanwhile, so that a chain of quick tasks, with
 * the worker idle between each two, does not make it once per task.
 */
export function fileInBackgroundAfter(delayMs: number, file: (how: PutOptions) => Promise<void>, onError: (err: Error) => void): void {
  const release = () => {
    clearTimeout(timer);
    holding.delete(timer);
    fileInBackground(file, onError);
  };
  // Unref'd: a process with nothing else to do exits without waiting (a closing worker files it first).
  const timer = setTimeout(release, delayMs).unref();
  holding.set(timer, release);
}

/**
 * Files every job waiting without a quiet period first (still not while a task is at work), and
 * waits until they have run (or failed), for at most `withinMs`: a closing worker waits for it.
 * Jobs held back join the queue at once. Returns how many were still waiting then (a store that
 * hangs must not keep a worker from stopping).
 */
export async function backgroundFilingDone(withinMs: number): Promise<number> {
  hurrying++;
  for (const release of [...holding.values()]) release();
  wakeFiling?.();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), withinMs)));
  try {
    // The loop may start again for jobs added meanwhile.
    while (filing && (await Promise.race([filing, late])) !== 'late');
  } finally {
    clearTimeout(timer);
    hurrying--;
  }
  return waiting.length;
}

/** Whether the loop must wait before filing the next job, and for what: tasks at work (until woken), or the rest of the quiet period. */
function turnIn(): 'busy' | number | 'now' {
  if (waiting.length > FILE_UNDER_LOAD_PAST) return 'now';
  if (tasksAtWork() > 0) return 'busy';
  const quietLeft = idleSince + QUIET_MS - Date.now();
  return hurrying > 0 || quietLeft <= 0 ? 'now' : quietLeft;
}

async function fileWaiting(): Promise<void> {
  try {
    while (waiting.length > 0) {
      const turn = turnIn();
      if (turn !== 'now') {
        await new Promise<void>((resolve) => {
          wakeFiling = resolve;
          if (turn !== 'busy') setTimeout(resolve, turn);
        });
        wakeFiling = undefined;
        continue;
      }
      // After the last task's result has gone back to the server.
      await new Promise((resolve) => setImmediate(resolve));
      const next = waiting.shift()!;
      // With no task at work, a write on the calling thread is the cheapest (no trips through
      // libuv's thread pool, each waking the event loop).
      await next.file({ alone: tasksAtWork() === 0 }).catch((err: unknown) => next.onError(err as Error));
    }
  } finally {
    filing = undefined;
  }
}
