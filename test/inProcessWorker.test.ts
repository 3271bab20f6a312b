// The worker that `dagent run` starts in its own process: as many activity slots as the run's
// maxParallel (it used to stop at 16 whatever maxParallel said), and its store keeps writing when
// a run folder it made was removed meanwhile.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { inProcessSlots, MAX_IN_PROCESS_SLOTS } from '../src/client/temporalSession';
import type { RunResult } from '../src/run/types';
import { LocalResultStore } from '../src/store/resultStore';
import { cleanEnv, spawnDagent } from './support/processes';

describe('the in-process worker', () => {
  it('has a slot for every task maxParallel lets run, within a cap', () => {
    expect(inProcessSlots(4)).toBe(16);
    expect(inProcessSlots(40)).toBe(40);
    expect(inProcessSlots(500)).toBe(MAX_IN_PROCESS_SLOTS);
  });

  it('runs 24 tasks at once when maxParallel is 24', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dagent-slots-'));
    try {
      const tasks = Array.from({ length: 24 }, (_, i) => ({ id: `S-${i}`, title: `sleep ${i}`, backend: 'shell', command: 'date +%s%3N; sleep 3; date +%s%3N' }));
      await writeFile(join(dir, 'plan.json'), JSON.stringify({ maxParallel: 24, tasks }));
      const run = spawnDagent(['run', '--file', join(dir, 'plan.json'), '--no-aggregate', '--json', '--task-queue', `slots-${randomUUID()}`], cleanEnv({ TEMPORAL_ADDRESS: inject('temporalAddress'), DAGENT_STORE: join(dir, 'results') }));
      expect(await run.exited).toBe(0);
      const result = JSON.parse(run.stdout()) as RunResult;
      expect(result.status).toBe('Completed');
      // The most commands running at one moment, by their own clocks (the table's startedAt is
      // when the workflow scheduled a task, not when a slot took it): with 16 slots, at most 16.
      const events = result.tasks
        .flatMap((t) => {
          const [start, end] = t.output!.trim().split('\n').map(Number);
          return [
            [start!, 1],
            [end!, -1],
          ];
        })
        .sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
      let running = 0;
      let most = 0;
      for (const [, step] of events) most = Math.max(most, (running += step!));
      expect(most).toBeGreaterThan(16);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writes into a run folder again after someone removed it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dagent-store-'));
    try {
      const store = new LocalResultStore(dir);
      await store.put('run/a/T-1.md', 'one');
      await rm(join(dir, 'run'), { recursive: true });
      await store.put('run/a/T-2.md', 'two');
      expect(await store.get('run/a/T-2.md')).toBe('two');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
