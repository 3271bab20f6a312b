// Figures of a finished run: serial time, makespan, critical path and speedup. Pure.
import type { RunStats, TaskRecord } from './types';
import { criticalPath } from '../plan/criticalPath';

export function computeRunStats(tasks: TaskRecord[]): RunStats {
  const ran = tasks.filter((t) => t.startedAt !== undefined && t.finishedAt !== undefined);
  const serialMs = ran.reduce((sum, t) => sum + (t.durationMs ?? 0), 0);
  const makespanMs = ran.length === 0 ? 0 : Math.max(...ran.map((t) => t.finishedAt!)) - Math.min(...ran.map((t) => t.startedAt!));
  const { length, path } = criticalPath(tasks, (t) => t.durationMs ?? 0);
  return {
    totalTasks: tasks.length,
    completed: tasks.filter((t) => t.status === 'Completed').length,
    reused: tasks.filter((t) => t.status === 'Reused').length,
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

