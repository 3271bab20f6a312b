// Figures of a finished run: serial time, makespan, critical path and speedup. Pure.
import type { RunStats, TaskRecord } from './types';

export function computeRunStats(tasks: TaskRecord[]): RunStats {
  const ran = tasks.filter((t) => t.startedAt !== undefined && t.finishedAt !== undefined);
  const serialMs = ran.reduce((sum, t) => sum + (t.durationMs ?? 0), 0);
  const makespanMs = ran.length === 0 ? 0 : Math.max(...ran.map((t) => t.finishedAt!)) - Math.min(...ran.map((t) => t.startedAt!));
  const { length, path } = criticalPath(tasks);
  return {
    totalTasks: tasks.length,
    completed: tasks.filter((t) => t.status === 'Completed').length,
    failed: tasks.filter((t) => t.status === 'Failed').length,
    skipped: tasks.filter((t) => t.status === 'Skipped').length,
    cancelled: tasks.filter((t) => t.status === 'Cancelled').length,
    serialMs,
    makespanMs,
    criticalPathMs: length,
    criticalPath: path,
    speedup: makespanMs > 0 ? Math.round((serialMs / makespanMs) * 100) / 100 : 0,
  };
}

/**
 * The heaviest dependency chain, weighing each task by a cost (measured duration by default,
 * or an estimate before the run). Tasks are given in an order where dependencies come first
 * or not; the walk is memoised so either works.
 */
export function criticalPath<T extends { id: string; dependsOn: string[] }>(
  tasks: T[],
  cost: (t: T) => number = (t) => (t as Partial<TaskRecord>).durationMs ?? 0,
): { length: number; path: string[] } {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const best = new Map<string, { length: number; via?: string }>();
  const visit = (id: string): number => {
    const known = best.get(id);
    if (known) return known.length;
    const task = byId.get(id)!;
    let via: string | undefined;
    let upstream = 0;
    for (const dep of task.dependsOn) {
      const l = visit(dep);
      if (l > upstream || via === undefined) [upstream, via] = [l, dep];
    }
    const length = upstream + cost(task);
    best.set(id, { length, via });
    return length;
  };
  let end: string | undefined;
  let longest = -1;
  for (const t of tasks) {
    const length = visit(t.id);
    if (length > longest) [end, longest] = [t.id, length];
  }
  const path: string[] = [];
  for (let id = end; id !== undefined; id = best.get(id)!.via) path.unshift(id);
  return { length: end === undefined ? 0 : best.get(end)!.length, path };
}
