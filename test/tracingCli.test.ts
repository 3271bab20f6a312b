// Tracing from the command line: `dagent run` with OTEL_EXPORTER_OTLP_ENDPOINT exports one trace
// per run over OTLP/HTTP (here to a collector this test runs), from the CLI's StartWorkflow span
// to each task's RunActivity span, and flushes it before the command exits.
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readBody } from '../src/http/readBody';
import { defaultHandler, startFakeAnthropic, type FakeAnthropic } from './support/fakeAnthropic';
import { cleanEnv, runDagent } from './support/processes';
import { TEST_API_KEY } from './support/testEnv';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: Array<{ key: string; value: { stringValue?: string; intValue?: string | number } }>;
}

let collector: Server;
let collectorUrl: string;
const spans: Array<OtlpSpan & { service: string }> = [];
let llm: FakeAnthropic;
let dir: string;

beforeAll(async () => {
  collector = createServer(async (req, res) => {
    const body = JSON.parse(await readBody(req)) as { resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans: Array<{ spans: OtlpSpan[] }> }> };
    for (const rs of body.resourceSpans ?? []) {
      const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
      for (const ss of rs.scopeSpans) for (const span of ss.spans) spans.push({ ...span, service });
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', () => resolve()));
  collectorUrl = `http://127.0.0.1:${(collector.address() as { port: number }).port}`;
  llm = await startFakeAnthropic(defaultHandler);
  dir = await mkdtemp(join(tmpdir(), 'dagent-tracing-cli-'));
});
afterAll(async () => {
  await new Promise((resolve) => collector?.close(resolve));
  await llm?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('dagent run with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('exports the run\'s trace, client to activities, before it exits', async () => {
    const plan = join(dir, 'plan.yaml');
    await writeFile(plan, 'tasks:\n  - {id: T1, title: One, prompt: Do one}\n  - {id: T2, title: Two, prompt: Do two, dependsOn: [T1]}\n');
    const workflowId = `traced-cli-${randomUUID()}`;
    const out = await runDagent(['run', '--file', plan, '--workflow-id', workflowId, '--task-queue', `traced-${randomUUID()}`, '--no-aggregate', '--quiet'], cleanEnv({
      ANTHROPIC_API_KEY: TEST_API_KEY,
      ANTHROPIC_BASE_URL: llm.url,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      DAGENT_RESULTS_DIR: join(dir, 'results'),
      OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
    }));
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const attr = (s: OtlpSpan, key: string) => s.attributes?.find((a) => a.key === key)?.value;
    const start = spans.find((s) => s.name === 'StartWorkflow:orchestrate' && attr(s, 'temporalWorkflowId')?.stringValue === workflowId);
    expect(start?.service).toBe('dagent');
    const trace = spans.filter((s) => s.traceId === start!.traceId);
    const run = trace.find((s) => s.name === 'RunWorkflow:orchestrate')!;
    expect(run.parentSpanId).toBe(start!.spanId);
    const tasks = trace.filter((s) => s.name === 'RunActivity:runTask');
    expect(tasks.map((s) => attr(s, 'dagent.task_id')?.stringValue).sort()).toEqual(['T1', 'T2']);
    const starts = new Set(trace.filter((s) => s.name === 'StartActivity:runTask' && s.parentSpanId === run.spanId).map((s) => s.spanId));
    expect(tasks.every((s) => starts.has(s.parentSpanId!))).toBe(true);
  });
});
