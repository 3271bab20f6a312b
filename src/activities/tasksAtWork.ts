// How many tasks this worker process is running now. When one runs alone, nothing else waits on
// the event loop, so its output is written on the calling thread (see LocalResultStore).
let running = 0;

export async function atWork<T>(work: () => Promise<T>): Promise<T> {
  running++;
  try {
    return await work();
  } finally {
    running--;
  }
}

/** Whether at most one task is at work in this process (the caller's own). */
export function workingAlone(): boolean {
  return running <= 1;
}
