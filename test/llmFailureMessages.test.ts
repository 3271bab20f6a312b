// What an LLM failure says and when the next attempt comes: a server's retry-after is capped at
// 10 minutes (and the Retrying reason says so), and a stream cut mid-answer is told apart from
// an API that cannot be reached. Real SDK, real HTTP, real Temporal.
import Anthropic from '@anthropic-ai/sdk';
import type { WorkflowHandle } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { classifyLlmError, LLM_FAILURE_TYPES, MAX_SERVER_RETRY_DELAY_MS } from '../src/llm/classifyLlmError';
import type { RunResult, TaskRecord } from '../src/run/types';
import { LocalResultStore } from '../src/store/resultStore';
import { createWorker, type DagentWorker } from '../src/workers/createWorker';
import { statusQuery } from '../src/workflows/messages';
import { startCuttingProxy, type CuttingProxy } from './support/cuttingProxy';
import { defaultHandler, sleep, type Handler } from './support/fakeAnthropic';
import { planOf, startTestEnv, TEST_API_KEY, type TestEnv } from './support/testEnv';
import { freePort as closedPort } from '../src/temporal/devServer';

let env: TestEnv;
let handler: Handler = defaultHandler;
let proxy: CuttingProxy;
/** A second worker whose LLM calls go through the cutting proxy. */
let cutWorker: DagentWorker;
let cutWorkerRunning: Promise<void>;
const cutQueue = `cut-${randomUUID()}`;

beforeAll(async () => {
  env = await startTestEnv((req) => handler(req));
  proxy = await startCuttingProxy(env.llm.url, (n) => n === 0);
  cutWorker = await createWorker({
    address: inject('temporalAddress'),
    namespace: 'default',
    taskQueue: cutQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    llm: { apiKey: TEST_API_KEY, baseURL: proxy.url, defaultModel: 'claude-test', requestTimeoutMs: 30_000 },
    store: env.store as LocalResultStore,
  });
  cutWorkerRunning = cutWorker.worker.run();
});
afterAll(async () => {
  cutWorker?.worker.shutdown();
  await cutWorkerRunning;
  await cutWorker?.close();
  await proxy?.close();
  await env?.close();
});

/** The error a real SDK call throws against this base URL. */
async function sdkError(baseURL: string): Promise<unknown> {
  const client = new Anthropic({ apiKey: TEST_API_KEY, baseURL, maxRetries: 0 });
  try {
    await client.messages.stream({ model: 'claude-test', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
  } catch (err) {
    return err;
  }
  throw new Error('the call succeeded');
}

/** The task's row once it is Retrying with a reason. */
async function retryingRow(handle: WorkflowHandle): Promise<TaskRecord> {
  for (let i = 0; i < 200; i++) {
    const row = (await handle.query(statusQuery)).tasks[0]!;
    if (row.status === 'Retrying' && row.error) return row;
    await sleep(100);
  }
  throw new Error('the task never showed Retrying');
}

describe('retry-after', () => {
  it('is honoured up to 10 minutes; beyond, the wait is capped and the message says so', async () => {
    const answers: Record<string, Record<string, string>> = {
      small: { 'retry-after': '2' },
      huge: { 'retry-after': '999999999' },
      hugeMs: { 'retry-after-ms': String(3 * 24 * 3_600_000) },
      farDate: { 'retry-after': new Date(Date.now() + 365 * 24 * 3_600_000).toUTCString() },
    };
    handler = (req) => ({ status: 429, errorType: 'rate_limit_error', message: 'slow down', headers: answers[req.body.messages[0]!.content as string]! });
    const failureFor = async (which: string) => {
      const client = new Anthropic({ apiKey: TEST_API_KEY, baseURL: env.llm.url, maxRetries: 0 });
      const err = await client.messages.create({ model: 'claude-test', max_tokens: 16, messages: [{ role: 'user', content: which }] }).catch((e: unknown) => e);
      return classifyLlmError(err, 1) as ApplicationFailure & { nextRetryDelay?: number };
    };

    const small = await failureFor('small');
    expect(small).toMatchObject({ message: 'Anthropic API 429 rate_limit_error: slow down', type: LLM_FAILURE_TYPES.rateLimited, nextRetryDelay: 2000 });
    const huge = await failureFor('huge');
    expect(MAX_SERVER_RETRY_DELAY_MS).toBe(600_000);
    expect(huge).toMatchObject({
      message: "Anthropic API 429 rate_limit_error: slow down (the API asked to wait 999999999 s; waiting 10 min, dagent's cap)",
      nextRetryDelay: 600_000,
      nonRetryable: false,
    });
    expect(await failureFor('hugeMs')).toMatchObject({ message: "Anthropic API 429 rate_limit_error: slow down (the API asked to wait 259200 s; waiting 10 min, dagent's cap)", nextRetryDelay: 600_000 });
    expect((await failureFor('farDate')).nextRetryDelay).toBe(600_000);
  });

  it('a run shows the capped reason while the task waits inside its first attempt, and cancels cleanly', async () => {
    handler = (req) => (req.kind === 'task' ? { status: 429, errorType: 'rate_limit_error', message: 'slow down', headers: { 'retry-after': '999999999' } } : defaultHandler(req));
    const handle = await env.start({ plan: planOf({ RA: [] }) });
    const row = await retryingRow(handle);
    expect(row.error).toBe("Anthropic API 429 rate_limit_error: slow down (the API asked to wait 999999999 s; waiting 10 min, dagent's cap)");
    // Provider trouble is waited out in the attempt: it is still attempt 1, running, not failed.
    const pending = (await handle.describe()).raw.pendingActivities ?? [];
    expect(pending.map((a) => ({ attempt: a.attempt, failed: Boolean(a.lastFailure) }))).toEqual([{ attempt: 1, failed: false }]);
    expect(row.attempts).toBe(1);

    await handle.cancel();
    expect(((await handle.result()) as RunResult).status).toBe('Cancelled');
    expect(env.llm.callsFor('RA')).toHaveLength(1);
  });
});

describe('connection failures', () => {
  it('a stream cut after the answer began says so, and the task completes on attempt 2', async () => {
    handler = (req) => (req.kind === 'task' ? { text: 'half an answer' } : defaultHandler(req));
    const handle = await env.client.workflow.start('orchestrate', {
      taskQueue: cutQueue,
      workflowId: `cut-${randomUUID()}`,
      args: [{ plan: planOf({ CUT: [] }), options: { retryInitialInterval: '2s', aggregate: 'none' } }],
    });
    const row = await retryingRow(handle);
    expect(row.error).toBe('the Anthropic API answer stream was cut mid-answer after 14 characters (other side closed)');
    const result = await env.result(handle);
    expect(result.tasks[0]).toMatchObject({ status: 'Completed', attempts: 2, output: 'half an answer' });
    expect(proxy.requests).toBe(2);
  });

  it('a connection closed before any answer is "unreachable", and is retried', async () => {
    let calls = 0;
    handler = (req) => (req.kind === 'task' && ++calls === 1 ? { reset: true } : defaultHandler(req));
    const handle = await env.start({ plan: planOf({ RESET: [] }), options: { retryInitialInterval: '2s' } });
    const row = await retryingRow(handle);
    expect(row.error).toBe('Anthropic API unreachable: other side closed');
    expect(((await handle.result()) as RunResult).tasks[0]).toMatchObject({ status: 'Completed', attempts: 1 });
  });

  it('a refused connection is "unreachable", with the reason, and retryable', async () => {
    const port = await closedPort();
    const failure = classifyLlmError(await sdkError(`http://127.0.0.1:${port}`), 1);
    expect(failure).toMatchObject({ message: `Anthropic API unreachable: connect ECONNREFUSED 127.0.0.1:${port}`, type: LLM_FAILURE_TYPES.connection, nonRetryable: false });
  });
});
