// What the scheduler will do with a plan, played out on estimated durations: when each task starts
// and when the last one ends, for `dagent validate`, `run --dry-run` and the benchmark. It follows
// the workflow's rule (a task starts once its dependencies are done and a slot is free; among
// ready tasks the longest remaining chain first, or plan order). Pure.
import { remainingPathLengths } from './criticalPath';

export type StartOrder = 'critical-path' | 'plan';

export interface PredictedSchedule {
  /** When the last task ends, in the weights' unit. */
  makespan: number;
  /** The heaviest chain: no schedule beats it. */
  criticalPath: number;
  /** All work divided by the slots: no schedule beats that either. */
  workPerSlot: number;
  /** Task ids in the order they start. */
  starts: string[];
}

export function predictSchedule<T extends { id: string; dependsOn?: string[] }>(
  tasks: T[],
  weight: (t: T) => number,
  maxParallel: number,
  order: StartOrder = 'critical-path',
): PredictedSchedule {
  const remaining = remainingPathLengths(tasks, weight);
  const index = new Map(tasks.map((t, i) => [t.id, i]));
  const rank = (t: T) => (order === 'critical-path' ? remaining.get(t.id)! : 0);
  // Same order as TaskTable.nextToStart: higher rank first, ties in plan order.
  const before = (a: T, b: T) => rank(b) - rank(a) || index.get(a.id)! - index.get(b.id)!;
  const waitingOn = new Map(tasks.map((t) => [t.id, new Set(t.dependsOn ?? [])]));
  const dependents = new Map<string, T[]>(tasks.map((t) => [t.id, []]));
  for (const t of tasks) for (const dep of t.dependsOn ?? []) dependents.get(dep)?.push(t);
  let ready = tasks.filter((t) => waitingOn.get(t.id)!.size === 0);
  const running: Array<{ task: T; end: number }> = [];
  const starts: string[] = [];
  let now = 0;
  while (ready.length > 0 || running.length > 0) {
    ready.sort(before);
    while (running.length < maxParallel && ready.length > 0) {
      const task = ready.shift()!;
      starts.push(task.id);
      running.push({ task, end: now + weight(task) });
    }
    // The next task to end; tasks ending at the same moment free their slots together.
    now = Math.min(...running.map((r) => r.end));
    const ended = running.filter((r) => r.end === now);
    for (const r of ended) {
      running.splice(running.indexOf(r), 1);
      for (const d of dependents.get(r.task.id)!) {
        const deps = waitingOn.get(d.id)!;
        deps.delete(r.task.id);
        if (deps.size === 0) ready.push(d);
      }
    }
  }
  const total = tasks.reduce((sum, t) => sum + weight(t), 0);
  return { makespan: now, criticalPath: Math.max(0, ...remaining.values()), workPerSlot: total / maxParallel, starts };
}
