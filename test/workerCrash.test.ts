// A worker killed with SIGKILL mid-run: a new worker finishes the run, and nothing that had
// completed runs again (counted at the LLM server).
import { Client, Connection } from '@temporalio/client';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { RunResult, RunStatusView } from '../src/run/types';
import { statusQuery } from '../src/workflows/messages';
import { defaultHandler, sleep, startFakeAnthropic, type FakeAnthropic } from './support/fakeAnthropic';
import { cleanEnv, spawnDagent, waitForOutput, type Spawned } from './support/processes';
import { planOf, TEST_API_KEY } from './support/testEnv';

let llm: FakeAnthropic;
let client: Client;
let resultsDir: string;
const workers: Spawned[] = [];

beforeAll(async () => {
  llm = await startFakeAnthropic(async (req) => {
    if (req.kind === 'task') await sleep(1200);
    return defaultHandler(req);
  });
  client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
  resultsDir = await mkdtemp(join(tmpdir(), 'dagent-crash-'));
});
afterAll(async () => {
  for (const w of workers) w.child.kill('SIGKILL');
  await client?.connection.close();
  await llm?.close();
  await rm(resultsDir, { recursive: true, force: true });
});

function startWorker(taskQueue: string): Spawned {
  const env = cleanEnv({ ANTHROPIC_API_KEY: TEST_API_KEY, ANTHROPIC_BASE_URL: llm.url, DAGENT_RESULTS_DIR: resultsDir });
  const worker = spawnDagent(['worker', '--address', inject('temporalAddress'), '--task-queue', taskQueue], env);
  workers.push(worker);
  return worker;
}

describe('worker crash', () => {
  it('resumes on a new worker after SIGKILL; completed tasks never run again', async () => {
    const taskQueue = `crash-${randomUUID()}`;
    const first = startWorker(taskQueue);
    await waitForOutput(first, 'worker polling');

    const plan = planOf({ A: [], B: [], C: ['A'], D: ['B'], E: ['C', 'D'], F: ['E'], G: ['E'], H: ['F', 'G'] });
    const handle = await client.workflow.start('orchestrate', {
      taskQueue,
      workflowId: `crash-${randomUUID()}`,
      args: [{ plan, options: { maxParallel: 2, heartbeatTimeout: '2s' } }],
    });

    // Kill once some tasks completed and others are in flight.
    let view: RunStatusView | undefined;
    for (;;) {
      view = await handle.query(statusQuery);
      if (view.counts.Completed >= 2 && view.counts.Running >= 1) break;
      await sleep(100);
    }
    first.child.kill('SIGKILL');
    await first.exited;
    const completedBeforeKill = view.tasks.filter((t) => t.status === 'Completed').map((t) => t.id);
    const inFlight = view.tasks.filter((t) => t.status === 'Running').map((t) => t.id);

    const second = startWorker(taskQueue);
    await waitForOutput(second, 'worker polling');
    const result = (await handle.result()) as RunResult;

    expect(result.status).toBe('Completed');
    expect(result.tasks.every((t) => t.status === 'Completed')).toBe(true);
    for (const id of completedBeforeKill) expect(llm.callsFor(id), `task ${id} ran again`).toHaveLength(1);
    for (const id of inFlight) expect(llm.callsFor(id).length).toBeLessThanOrEqual(2);
    for (const t of result.tasks) expect(llm.callsFor(t.id).length).toBeGreaterThanOrEqual(1);
    second.child.kill('SIGTERM');
    await second.exited;
  });
});
