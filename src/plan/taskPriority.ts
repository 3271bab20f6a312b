// The Temporal priority key of a task's activity, from the chain still ahead of it: across runs
// sharing a task queue, work on a critical path is dispatched first when the queue has a
// backlog. Keys run from 1 (first) to 5; 3 is Temporal's default, so dagent only ever raises a
// task above other work, never pushes it below. Pure.

export const DEFAULT_PRIORITY_KEY = 3;

/** 1 for the top third of chain lengths in the run, 2 for the middle third, else the default. */
export function taskPriorityKey(remaining: number, longest: number): number {
  if (!(longest > 0)) return DEFAULT_PRIORITY_KEY;
  const share = remaining / longest;
  return share > 2 / 3 ? 1 : share > 1 / 3 ? 2 : DEFAULT_PRIORITY_KEY;
}
