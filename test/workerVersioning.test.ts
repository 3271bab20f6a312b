// Worker Versioning on the dev server: a run begun on build A stays pinned to A while build B,
// whose workflow code would not replay A's histories, becomes current; the old run completes on
// A with no non-determinism error, and a new run starts on B. Promotion goes through the CLI.
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunResult } from '../src/run/types';
import { LocalResultStore } from '../src/store/resultStore';
import { buildIdOf } from '../src/workers/buildId';
import { createWorker, type DagentWorker } from '../src/workers/createWorker';
import { approveUpdate, statusQuery } from '../src/workflows/messages';
import { defaultHandler, sleep, startFakeAnthropic, type FakeAnthropic } from './support/fakeAnthropic';
import { cleanEnv, runDagent } from './support/processes';
import { TEST_API_KEY } from './support/testEnv';

const deployment = `dagent-test-${randomUUID().slice(0, 8)}`;
const taskQueue = `versioned-${randomUUID()}`;
let llm: FakeAnthropic;
let dir: string;
let client: Client;
const workers: Array<{ worker: DagentWorker; running: Promise<void> }> = [];

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  llm = await startFakeAnthropic(defaultHandler);
  dir = await mkdtemp(join(tmpdir(), 'dagent-versioning-'));
  client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
});
afterAll(async () => {
  for (const { worker } of workers) worker.shutdown();
  await Promise.all(workers.map((w) => w.running));
  for (const { worker } of workers) await worker.close();
  await client?.connection.close();
  await llm?.close();
  await rm(dir, { recursive: true, force: true });
});

async function startBuild(buildId: string, workflowBundle: { codePath: string } | { code: string }): Promise<DagentWorker> {
  const worker = await createWorker({
    address: inject('temporalAddress'),
    namespace: 'default',
    taskQueue,
    workflowBundle,
    llm: { apiKey: TEST_API_KEY, baseURL: llm.url, defaultModel: 'claude-test', requestTimeoutMs: 30_000 },
    store: new LocalResultStore(join(dir, 'results')),
    deployment: { name: deployment, buildId },
  });
  workers.push({ worker, running: worker.run() });
  return worker;
}

/** Promotes through the CLI; the server refuses until it has seen the build's pollers, so ask again a few times. */
async function promote(buildId: string): Promise<string> {
  let last = '';
  for (let i = 0; i < 40; i++) {
    const out = await runDagent(['deploy', 'promote', buildId, '--deployment', deployment], cleanEnv({ TEMPORAL_ADDRESS: inject('temporalAddress') }));
    if (out.code === 0) return out.stdout;
    last = out.stderr;
    await sleep(250);
  }
  throw new Error(`could not promote ${buildId}: ${last}`);
}

const firstTaskIs = async (handle: WorkflowHandle, status: string) => {
  for (let i = 0; i < 100; i++) {
    if ((await handle.query(statusQuery).catch(() => undefined))?.tasks[0]?.status === status) return;
    await sleep(100);
  }
  throw new Error(`task never ${status}`);
};

/** B's mark in a history: the one-second timer it starts before anything else. */
const bMark = (e: { timerStartedEventAttributes?: { startToFireTimeout?: { seconds?: unknown } | null } | null }) => String(e.timerStartedEventAttributes?.startToFireTimeout?.seconds ?? '') === '1';

describe('worker versioning', () => {
  it('keeps a run on the build it began on while a changed build is promoted; new runs go to the new build', async () => {
    await startBuild('A', { codePath: inject('workflowBundlePath') });
    expect(await promote('A')).toContain(`build A is now the current version of deployment ${deployment}`);

    const plan = { tasks: [{ id: 'GATE', title: 'Gate', prompt: 'p', requiresApproval: true }, { id: 'AFTER', title: 'After', prompt: 'p', dependsOn: ['GATE'] }] };
    const old = await client.workflow.start('orchestrate', { taskQueue, workflowId: `old-${randomUUID()}`, args: [{ plan, options: { aggregate: 'none' } }] });
    await firstTaskIs(old, 'AwaitingApproval');

    // Build B sleeps before it does anything: replaying A's history with it would fail.
    const { code } = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('./support/nonDeterministic/index.ts', import.meta.url)),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
    await startBuild('B', { code });
    expect(await promote('B')).toContain(`build B is now the current version of deployment ${deployment} (was A; its runs finish on it)`);

    await old.executeUpdate(approveUpdate, { args: [{ requestId: 'approve-gate', taskId: 'GATE' }] });
    expect(((await old.result()) as RunResult).status).toBe('Completed');
    const oldEvents = (await old.fetchHistory()).events ?? [];
    expect(oldEvents.filter((e) => e.workflowTaskFailedEventAttributes)).toEqual([]);
    expect(oldEvents.filter(bMark)).toEqual([]);
    const oldInfo = (await old.describe()).raw.workflowExecutionInfo?.versioningInfo;
    expect(oldInfo?.deploymentVersion?.buildId ?? oldInfo?.version).toMatch(/A$/);

    const next = await client.workflow.start('orchestrate', { taskQueue, workflowId: `new-${randomUUID()}`, args: [{ plan: { tasks: [{ id: 'N', title: 'New', prompt: 'p' }] }, options: { aggregate: 'none' } }] });
    expect(((await next.result()) as RunResult).status).toBe('Completed');
    expect(((await next.fetchHistory()).events ?? []).filter(bMark)).toHaveLength(1);
  });

  it('names a build by a hash of its workflow bundle when no build id is given', async () => {
    const plain = await buildIdOf({ codePath: inject('workflowBundlePath') });
    expect(plain).toMatch(/^[0-9a-f]{12}$/);
    expect(await buildIdOf({ code: await readFile(inject('workflowBundlePath'), 'utf8') })).toBe(plain);
    expect(await buildIdOf({ code: 'other workflow code' })).not.toBe(plain);
  });
});
