// `dagent stats`: runs by status and the spread of makespans and task durations, read from
// Temporal's visibility and the runs' results; and the percentile rule it uses.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunStatsReport } from '../src/client/statsCommand';
import { percentile, spreadOf } from '../src/run/percentiles';
import type { RunResult } from '../src/run/types';
import { defaultHandler, sleep } from './support/fakeAnthropic';
import { cleanEnv, runDagent } from './support/processes';
import { startTestEnv, type TestEnv } from './support/testEnv';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv(defaultHandler);
});
afterAll(async () => env?.close());

describe('percentile', () => {
  it('is the nearest-rank value: always one that was measured', () => {
    expect(percentile([], 50)).toBeUndefined();
    expect(percentile([30, 10, 20], 50)).toBe(20);
    expect(percentile([30, 10, 20], 99)).toBe(30);
    expect(spreadOf(Array.from({ length: 100 }, (_, i) => i + 1))).toEqual({ count: 100, p50: 50, p95: 95, p99: 99 });
  });
});

describe('dagent stats', () => {
  it('counts the task queue\'s runs by outcome and gives makespan and per-backend task duration percentiles', async () => {
    const shell = (id: string, seconds: number, dependsOn: string[] = []) => ({ id, title: id, backend: 'shell', command: `sleep ${seconds}`, dependsOn });
    const runs = (await Promise.all([
      env.run({ plan: { tasks: [shell('S1', 0.2), shell('S2', 0.4, ['S1'])] }, options: { aggregate: 'none' } }),
      env.run({ plan: { tasks: [shell('S1', 0.1), { id: 'L', title: 'L', prompt: 'p' }] }, options: { aggregate: 'none' } }),
      env.run({ plan: { tasks: [{ id: 'BAD', title: 'bad', backend: 'shell', command: 'exit 1' }] }, options: { aggregate: 'none' } }),
    ])) as RunResult[];
    expect(runs.map((r) => r.status)).toEqual(['Completed', 'Completed', 'Failed']);

    let report: RunStatsReport | undefined;
    for (let i = 0; i < 50; i++) {
      const out = await runDagent(['stats', '--task-queue', env.taskQueue, '--since', '1h', '--json'], cleanEnv({ TEMPORAL_ADDRESS: inject('temporalAddress') }));
      expect(out.code).toBe(0);
      report = JSON.parse(out.stdout) as RunStatsReport;
      if (Object.values(report.runs).reduce((a, b) => a + b, 0) === 3) break;
      await sleep(200);
    }
    expect(report!.runs).toEqual({ Completed: 2, Failed: 1 });
    const makespans = runs.map((r) => r.stats.makespanMs).sort((a, b) => a - b);
    expect(report!.makespanMs).toEqual({ count: 3, p50: makespans[1], p95: makespans[2], p99: makespans[2] });
    const shellMs = runs.flatMap((r) => r.tasks.filter((t) => t.backend === 'shell').map((t) => t.durationMs!)).sort((a, b) => a - b);
    expect(report!.taskDurationMs.shell).toEqual({ count: 4, p50: shellMs[1], p95: shellMs[3], p99: shellMs[3] });
    expect(report!.taskDurationMs.anthropic!.count).toBe(1);

    const table = await runDagent(['stats', '--task-queue', env.taskQueue, '--since', '1h'], cleanEnv({ TEMPORAL_ADDRESS: inject('temporalAddress') }));
    expect(table.stdout).toContain(`Runs on task queue ${env.taskQueue} in the last 1h: 3 (2 Completed, 1 Failed)`);
    expect(table.stdout).toMatch(/run makespan\s+3\s/);
    const bad = await runDagent(['stats', '--since', 'yesterday'], cleanEnv({ TEMPORAL_ADDRESS: inject('temporalAddress') }));
    expect([bad.code, bad.stderr.trim()]).toEqual([2, 'dagent: --since must be a duration such as 30m, 24h or 7d, got "yesterday"']);
  });
});
