// A plan too big to travel inline (over 200 KB): `dagent run` files it in the result store and the
// run starts with a reference to it, so its first history event stays small; the run is the same.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Client } from '@temporalio/client';
import type { RunResult } from '../src/run/types';
import { connectClient } from '../src/temporal/connect';
import { cleanEnv, spawnDagent } from './support/processes';

let dir: string;
let client: Client;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dagent-big-plan-'));
  client = await connectClient({ address: inject('temporalAddress'), namespace: 'default' });
});
afterAll(async () => {
  await client?.connection.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a big plan', () => {
  it('goes to the result store; the run gets a reference and runs the plan as written', async () => {
    // Three tasks with 80,000-character values in their environment: 240 KB of plan.
    const tasks = ['A', 'B', 'C'].map((id, i) => ({ id, title: `big ${id}`, backend: 'shell', command: 'printf "%s %s" "${#BIG}" "$(printf %s "$BIG" | cut -c1-3)"', env: { BIG: `${'abc'[i]}${'x'.repeat(79_999)}` }, ...(id === 'C' ? { dependsOn: ['A', 'B'] } : {}) }));
    await writeFile(join(dir, 'plan.json'), JSON.stringify({ tasks }));
    const run = spawnDagent(['run', '--file', join(dir, 'plan.json'), '--no-aggregate', '--json', '--task-queue', `big-plan-${randomUUID()}`], cleanEnv({ TEMPORAL_ADDRESS: inject('temporalAddress'), DAGENT_STORE: join(dir, 'results') }));
    const code = await run.exited;
    if (code !== 0) console.log(run.stderr().slice(-2000), JSON.stringify((JSON.parse(run.stdout()) as RunResult).tasks.map((t) => [t.id, t.status, t.error, t.output?.slice(0, 100)])));
    expect(code).toBe(0);
    const result = JSON.parse(run.stdout()) as RunResult;
    expect(result.status).toBe('Completed');
    expect(result.tasks.map((t) => [t.id, t.output])).toEqual([['A', '80000 axx'], ['B', '80000 bxx'], ['C', '80000 cxx']]);

    const history = await client.workflow.getHandle(result.workflowId).fetchHistory();
    const started = history.events![0]!.workflowExecutionStartedEventAttributes!;
    const input = JSON.parse(Buffer.from(started.input!.payloads![0]!.data!).toString('utf8')) as { plan?: unknown; planRef?: { pages: string[]; chars: number } };
    expect(input.plan).toBeUndefined();
    expect(input.planRef!.chars).toBeGreaterThan(240_000);
    expect(input.planRef!.pages.length).toBeGreaterThanOrEqual(2);
    expect(started.input!.payloads![0]!.data!.length).toBeLessThan(10_000);
  });
});
