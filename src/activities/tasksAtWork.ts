// How many tasks this worker process is running now. When one runs alone, nothing else waits on
// the event loop, so its output is written on the calling thread (see LocalResultStore); when none
// runs, background work goes ahead (the reuse index and the duration memo, see backgroundFiling.ts).
let running = 0;
let idleListener: (() => void) | undefined;

export async function atWork<T>(work: () => Promise<T>): Promise<T> {
  running++;
  try {
    return await work();
  } finally {
    running--;
    if (running === 0) idleListener?.();
  }
}

/** Whether at most one task is at work in this process (the caller's own). */
export function workingAlone(): boolean {
  return running <= 1;
}

export function tasksAtWork(): number {
  return running;
}

/** Calls `listener` whenever the last task at work ends (one listener per process). */
export function whenIdle(listener: () => void): void {
  idleListener = listener;
}
