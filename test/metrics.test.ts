// A standalone worker with --metrics-port: Prometheus metrics (the SDK's own and dagent's, with
// the right counts after a run) and /healthz on one port, scraped over HTTP like Prometheus does.
import { Client, Connection } from '@temporalio/client';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunResult } from '../src/run/types';
import { freePort } from '../src/temporal/devServer';
import { defaultHandler, startFakeAnthropic, type FakeAnthropic } from './support/fakeAnthropic';
import { cleanEnv, spawnDagent, waitForOutput, type Spawned } from './support/processes';
import { TEST_API_KEY } from './support/testEnv';

let llm: FakeAnthropic;
let dir: string;
let worker: Spawned;
let client: Client;
let port: number;
const taskQueue = `metrics-${randomUUID()}`;

beforeAll(async () => {
  llm = await startFakeAnthropic((req) => (req.kind === 'task' ? { text: `output of ${req.taskId}`, usage: { input: 100, output: 20 } } : defaultHandler(req)));
  dir = await mkdtemp(join(tmpdir(), 'dagent-metrics-'));
  port = await freePort();
  const env = cleanEnv({ ANTHROPIC_API_KEY: TEST_API_KEY, ANTHROPIC_BASE_URL: llm.url, TEMPORAL_ADDRESS: inject('temporalAddress'), DAGENT_RESULTS_DIR: join(dir, 'results') });
  worker = spawnDagent(['worker', '--task-queue', taskQueue, '--metrics-port', String(port)], env);
  await waitForOutput(worker, `health on http://0.0.0.0:${port}/healthz`);
  client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
});
afterAll(async () => {
  worker?.child.kill('SIGTERM');
  await worker?.exited;
  await client?.connection.close();
  await llm?.close();
  await rm(dir, { recursive: true, force: true });
});

/** The sum of a metric's samples whose labels include all of `labels`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

describe('worker metrics', () => {
  it('exports the SDK\'s metrics and dagent\'s with the counts of the run, and /healthz says the pollers are live', async () => {
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ live: true, queues: [{ taskQueue, runState: 'RUNNING' }] });
    // docker-compose.yml's health check, run as the container would, against this worker's port.
    const check = (parse(readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8')) as { services: Record<string, { healthcheck: { test: string[] } }> }).services['dagent-worker']!.healthcheck.test;
    expect(check.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    const ok = await promisify(execFile)(process.execPath, ['-e', check[3]!.replace('127.0.0.1:9464', `127.0.0.1:${port}`)]).then(() => 0, (e: { code?: number }) => e.code ?? -1);
    expect(ok).toBe(0);

    const plan = {
      tasks: [
        { id: 'T1', title: 'One', prompt: 'Do one.' },
        { id: 'T2', title: 'Two', prompt: 'Do two.', dependsOn: ['T1'] },
        // A non-zero exit is the task's own, final failure: one attempt.
        { id: 'SH', title: 'Shell that fails', backend: 'shell', command: 'exit 3' },
      ],
    };
    const handle = await client.workflow.start('orchestrate', { taskQueue, workflowId: `metrics-${randomUUID()}`, args: [{ plan, options: { aggregate: 'none', retryInitialInterval: '100ms' } }] });
    const result = (await handle.result()) as RunResult;
    expect(result.status).toBe('Failed');

    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    // dagent's: tasks by backend and final status, runs by outcome, attempts, tokens.
    expect(sample(text, 'dagent_tasks', { backend: 'anthropic', status: 'Completed' })).toBe(2);
    expect(sample(text, 'dagent_tasks', { backend: 'shell', status: 'Failed' })).toBe(1);
    expect(sample(text, 'dagent_runs', { outcome: 'Failed' })).toBe(1);
    expect(sample(text, 'dagent_task_attempts', { backend: 'anthropic', outcome: 'completed' })).toBe(2);
    expect(sample(text, 'dagent_task_attempts', { backend: 'shell', outcome: 'failed' })).toBe(1);
    expect(sample(text, 'dagent_cost_microdollars')).toBeGreaterThan(0);
    expect(sample(text, 'dagent_tokens', { kind: 'input' })).toBe(200);
    expect(sample(text, 'dagent_tokens', { kind: 'output' })).toBe(40);
    expect(sample(text, 'dagent_task_attempt_duration_count', { backend: 'anthropic' })).toBe(2);
    expect(sample(text, 'dagent_run_makespan_count', { outcome: 'Failed' })).toBe(1);
    // The SDK's own, from the same endpoint.
    expect(sample(text, 'temporal_workflow_completed', { workflow_type: 'orchestrate' })).toBe(1);
    expect(sample(text, 'temporal_activity_execution_failed', { activity_type: 'runTask' })).toBe(1);
    expect(sample(text, 'temporal_num_pollers')).toBeGreaterThan(0);
  });
});
