// One test file's environment: a fake LLM server, a real worker on its own task queue against the
// shared dev server, a client, and a result store in a temporary folder (or the store a test passes).
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { OrchestrateInput } from '../../src/plan/schema';
import type { RunResult } from '../../src/run/types';
import { withOutputs } from '../../src/client/readOutputs';
import { LocalResultStore, type ResultStore } from '../../src/store/resultStore';
import { createWorker } from '../../src/workers/createWorker';
import type { BreakerSettings } from '../../src/llm/circuitBreaker';
import { startFakeAnthropic, type FakeAnthropic, type Handler } from './fakeAnthropic';

export const TEST_API_KEY = 'test-key-not-a-secret-0123456789';

export interface TestEnv<S extends ResultStore = LocalResultStore> {
  llm: FakeAnthropic;
  client: Client;
  taskQueue: string;
  store: S;
  start(input: OrchestrateInput, workflowId?: string): Promise<WorkflowHandle>;
  run(input: OrchestrateInput): Promise<RunResult>;
  /** A run's result with its outputs read from the store, as a client reads them. */
  result(handle: WorkflowHandle): Promise<RunResult>;
  close(): Promise<void>;
}

let runtimeInstalled = false;

export async function startTestEnv<S extends ResultStore = LocalResultStore>(
  handler?: Handler,
  options: { address?: string; codec?: PayloadCodec; env?: NodeJS.ProcessEnv; store?: S; breaker?: BreakerSettings; log?: (line: string) => void; maxConcurrentActivities?: number } = {},
): Promise<TestEnv<S>> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    runtimeInstalled = true;
  }
  const address = options.address ?? inject('temporalAddress');
  const llm = await startFakeAnthropic(handler);
  // Without a store of the test's own, a local one in a folder removed on close.
  const storeDir = options.store ? undefined : await mkdtemp(join(tmpdir(), 'dagent-store-'));
  const store = options.store ?? (new LocalResultStore(storeDir!) as ResultStore as S);
  const taskQueue = `test-${randomUUID()}`;
  const dagentWorker = await createWorker({
    address,
    namespace: 'default',
    taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    llm: { apiKey: TEST_API_KEY, baseURL: llm.url, defaultModel: 'claude-test', requestTimeoutMs: 30_000, ...(options.breaker ? { breaker: options.breaker } : {}) },
    ...(options.log ? { log: options.log } : {}),
    ...(options.maxConcurrentActivities ? { maxConcurrentActivities: options.maxConcurrentActivities } : {}),
    store,
    ...(options.codec ? { codec: options.codec } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  const running = dagentWorker.worker.run();
  const client = new Client({ connection: await Connection.connect({ address }), ...(options.codec ? { dataConverter: { payloadCodecs: [options.codec] } } : {}) });

  const start = (input: OrchestrateInput, workflowId = `test-${randomUUID()}`) =>
    client.workflow.start('orchestrate', { taskQueue, workflowId, args: [input] });
  // Outputs as a client reads them: history holds references, the store the texts.
  const result = async (handle: WorkflowHandle) => (await withOutputs((await handle.result()) as RunResult, store)).result;
  return {
    llm,
    client,
    taskQueue,
    store,
    start,
    run: async (input) => result(await start(input)),
    result,
    async close() {
      dagentWorker.worker.shutdown();
      await running;
      await dagentWorker.close();
      await client.connection.close();
      await llm.close();
      if (storeDir) await rm(storeDir, { recursive: true, force: true });
    },
  };
}

/** A plan from a compact description: `{ 'T-01': [], 'T-02': ['T-01'] }`. */
export function planOf(deps: Record<string, string[]>, extra: Record<string, object> = {}) {
  return {
    tasks: Object.entries(deps).map(([id, dependsOn]) => ({ id, title: `Task ${id}`, prompt: `Do ${id}.`, dependsOn, ...extra[id] })),
  };
}

/** A map MAP over `items` (one task per item, "Do {{item}}.") and a task SUM that depends on it. */
export function mapPlan(items: string[]) {
  return { tasks: [{ id: 'MAP', title: 'Each', prompt: 'Do {{item}}.', forEach: { items } }, { id: 'SUM', title: 'Sum', prompt: 'Sum.', dependsOn: ['MAP'] }] };
}

/** A map of `items` and its sum, small enough per run (4 at a time, hand-over after 60 events) to continue as new; its raw RunResult. */
export async function runMapThatHandsOver<S extends ResultStore>(env: TestEnv<S>, items: string[]): Promise<RunResult> {
  const handle = await env.start({ plan: mapPlan(items), options: { maxParallel: 4, continueAsNewAfter: 60, aggregate: 'plain' } });
  return (await env.client.workflow.getHandle(handle.workflowId).result()) as RunResult;
}
