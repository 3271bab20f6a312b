// OpenTelemetry traces: one trace per run, from the client that starts it through the workflow to
// each task's activity, with the task's id, backend, model and tokens on its span. The spans are
// collected in memory by a real OTel SDK; the worker, server and LLM calls are the real ones.
import { Client, Connection } from '@temporalio/client';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TRACED_WORKFLOW_BUNDLE_FILE } from '../scripts/buildDist';
import type { RunResult } from '../src/run/types';
import { LocalResultStore } from '../src/store/resultStore';
import { installTracing, tracingClientInterceptors } from '../src/telemetry/tracing';
import { createWorker, type DagentWorker } from '../src/workers/createWorker';
import { defaultHandler, sleep, startFakeAnthropic, type FakeAnthropic } from './support/fakeAnthropic';
import { TEST_API_KEY } from './support/testEnv';

const exporter = new InMemorySpanExporter();
const tracing = { spanProcessor: new SimpleSpanProcessor(exporter), resource: new Resource({ 'service.name': 'dagent-test' }) };
const taskQueue = `tracing-${randomUUID()}`;
let llm: FakeAnthropic;
let dir: string;
let worker: DagentWorker;
let running: Promise<void>;
let client: Client;

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  installTracing(tracing);
  llm = await startFakeAnthropic((req) => (req.kind === 'task' ? { text: `output of ${req.taskId}`, usage: { input: 50, output: 7 } } : defaultHandler(req)));
  dir = await mkdtemp(join(tmpdir(), 'dagent-tracing-'));
  worker = await createWorker({
    address: inject('temporalAddress'),
    namespace: 'default',
    taskQueue,
    workflowBundle: { codePath: TRACED_WORKFLOW_BUNDLE_FILE },
    llm: { apiKey: TEST_API_KEY, baseURL: llm.url, defaultModel: 'claude-test', requestTimeoutMs: 30_000 },
    store: new LocalResultStore(join(dir, 'results')),
    tracing,
  });
  running = worker.run();
  client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }), interceptors: { workflow: tracingClientInterceptors() } });
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await worker?.close();
  await client?.connection.close();
  await llm?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('tracing', () => {
  it('follows a run in one trace: client start → workflow → each task\'s activity, with task attributes', async () => {
    const workflowId = `traced-${randomUUID()}`;
    const handle = await client.workflow.start('orchestrate', { taskQueue, workflowId, args: [{ plan: { tasks: [{ id: 'A', title: 'A', prompt: 'Do A.' }, { id: 'B', title: 'B', prompt: 'Do B.', dependsOn: ['A'] }] }, options: { aggregate: 'none' } }] });
    expect(((await handle.result()) as RunResult).status).toBe('Completed');

    let spans: ReadableSpan[] = [];
    const ofRun = (name: string) => spans.filter((s) => s.name === name && (s.attributes.workflowId ?? s.attributes.temporalWorkflowId) === workflowId);
    for (let i = 0; i < 50 && (ofRun('RunActivity:runTask').length < 2 || ofRun('RunWorkflow:orchestrate').length < 1); i++) {
      await sleep(100);
      spans = exporter.getFinishedSpans();
    }
    const start = ofRun('StartWorkflow:orchestrate')[0]!;
    expect(start).toBeDefined();
    const traceId = start.spanContext().traceId;
    const inTrace = spans.filter((s) => s.spanContext().traceId === traceId);
    const one = (name: string) => inTrace.filter((s) => s.name === name);
    const run = one('RunWorkflow:orchestrate');
    expect(run).toHaveLength(1);
    expect(run[0]!.parentSpanId).toBe(start.spanContext().spanId);
    const starts = one('StartActivity:runTask');
    expect(starts).toHaveLength(2);
    for (const s of starts) expect(s.parentSpanId).toBe(run[0]!.spanContext().spanId);
    const activities = one('RunActivity:runTask');
    expect(activities.map((s) => starts.some((p) => p.spanContext().spanId === s.parentSpanId))).toEqual([true, true]);
    expect(activities.map((s) => s.attributes).sort((a, b) => String(a['dagent.task_id']).localeCompare(String(b['dagent.task_id'])))).toEqual([
      expect.objectContaining({ 'dagent.task_id': 'A', 'dagent.backend': 'anthropic', 'dagent.model': 'claude-test', 'dagent.input_tokens': 50, 'dagent.output_tokens': 7 }),
      expect.objectContaining({ 'dagent.task_id': 'B', 'dagent.backend': 'anthropic', 'dagent.model': 'claude-test', 'dagent.input_tokens': 50, 'dagent.output_tokens': 7 }),
    ]);
    expect(activities.every((s) => s.resource.attributes['service.name'] === 'dagent-test')).toBe(true);
    // The Anthropic SDK's own span of each call sits under its task's activity.
    const calls = one('anthropic.messages.create');
    expect(calls.map((c) => activities.some((a) => a.spanContext().spanId === c.parentSpanId))).toEqual([true, true]);
  });
});
