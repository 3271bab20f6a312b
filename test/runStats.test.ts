// The run's figures: serial time, makespan, critical path, speedup. Pure, no server.
import { describe, expect, it } from 'vitest';
import { computeRunStats } from '../src/run/runStats';
import type { TaskRecord } from '../src/run/types';

const rec = (id: string, dependsOn: string[], startedAt: number, finishedAt: number, status: TaskRecord['status'] = 'Completed'): TaskRecord => ({
  id, title: id, backend: 'anthropic', status, attempts: 1, dependsOn, startedAt, finishedAt, durationMs: finishedAt - startedAt,
});

describe('computeRunStats', () => {
  it('measures a diamond: serial sum, makespan, critical path through the slow branch, speedup', () => {
    const stats = computeRunStats([rec('A', [], 0, 100), rec('B', ['A'], 100, 400), rec('C', ['A'], 100, 200), rec('D', ['B', 'C'], 400, 500)]);
    expect(stats).toMatchObject({ totalTasks: 4, completed: 4, serialMs: 600, makespanMs: 500, criticalPathMs: 500, criticalPath: ['A', 'B', 'D'], speedup: 1.2 });
  });

  it('handles a single task and tasks that never ran', () => {
    const skipped: TaskRecord = { id: 'S', title: 'S', backend: 'anthropic', status: 'Skipped', attempts: 0, dependsOn: ['F'] };
    const stats = computeRunStats([rec('F', [], 0, 50, 'Failed'), skipped]);
    expect(stats).toMatchObject({ failed: 1, skipped: 1, serialMs: 50, makespanMs: 50, criticalPath: ['F'], speedup: 1 });
  });
});
