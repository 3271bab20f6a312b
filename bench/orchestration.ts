// `npm run bench`: orchestration overhead, measured in one run against a real dev server and the
// test LLM server. Wall-clock times are taken at the LLM server, where a task's work starts and ends.
import type { Client } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrchestrateInput } from '../src/plan/schema';
import type { RunResult } from '../src/run/types';
import { LocalResultStore } from '../src/store/resultStore';
import { connectClient } from '../src/temporal/connect';
import { startDevServer } from '../src/temporal/devServer';
import { createWorker } from '../src/workers/createWorker';
import { defaultHandler, sleep, startFakeAnthropic, type FakeAnthropic } from '../test/support/fakeAnthropic';

const N = 50;
let taskLatencyMs = 0;

const task = (i: number, dependsOn: string[]) => ({ id: `T${String(i).padStart(2, '0')}`, title: `Task ${i}`, prompt: `Do ${i}.`, dependsOn });
const chain = { tasks: Array.from({ length: N }, (_, i) => task(i, i === 0 ? [] : [task(i - 1, []).id])) };
const fanOut = { tasks: Array.from({ length: N }, (_, i) => task(i, [])) };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Gaps between one activity's completion and the next one's start, from the run's history. */
async function temporalHops(client: Client, workflowId: string): Promise<number[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const ms = (e: { eventTime?: { seconds?: unknown; nanos?: number | null } | null }) => Number(e.eventTime!.seconds) * 1000 + (e.eventTime!.nanos ?? 0) / 1e6;
  const started: number[] = [];
  const completed: number[] = [];
  for (const e of history.events ?? []) {
    if (e.activityTaskStartedEventAttributes) started.push(ms(e));
    if (e.activityTaskCompletedEventAttributes) completed.push(ms(e));
  }
  // Activity 0 is task T00; pair each task's start with its predecessor's completion.
  return started.slice(1, N).map((s, i) => Math.round(s - completed[i]!));
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const dir = await mkdtemp(join(tmpdir(), 'dagent-bench-'));
  const server = await startDevServer({ dbFile: join(dir, 'temporal.db'), headless: true, logFile: join(dir, 'temporal.log') });
  const client = await connectClient({ address: server.address, namespace: 'default' });
  const llm: FakeAnthropic = await startFakeAnthropic(async (req) => {
    if (req.kind === 'task' && taskLatencyMs) await sleep(taskLatencyMs);
    return defaultHandler(req);
  });
  const worker = await createWorker({
    address: server.address,
    namespace: 'default',
    taskQueue: 'bench',
    maxConcurrentActivities: 100,
    llm: { apiKey: 'bench-key', baseURL: llm.url, defaultModel: 'claude-bench', requestTimeoutMs: 30_000 },
    store: new LocalResultStore(join(dir, 'results')),
  });
  const running = worker.worker.run();
  const run = async (name: string, input: OrchestrateInput): Promise<RunResult> => {
    const handle = await client.workflow.start('orchestrate', { taskQueue: 'bench', workflowId: `bench-${name}-${Date.now()}`, args: [input] });
    return (await handle.result()) as RunResult;
  };

  try {
    await run('warmup', { plan: { tasks: [task(0, [])] } });

    llm.requests.length = 0;
    const chainResult = await run('chain', { plan: chain, options: { maxParallel: 1 } });
    const calls = new Map(llm.requests.filter((r) => r.kind === 'task').map((r) => [r.taskId!, r]));
    const gaps = chain.tasks.slice(1).map((t, i) => calls.get(t.id)!.receivedAt - calls.get(chain.tasks[i]!.id)!.respondedAt!).sort((a, b) => a - b);
    console.log(`chain of ${N} tasks (zero LLM latency): dependency finished → dependent started: median ${percentile(gaps, 50)} ms, p95 ${percentile(gaps, 95)} ms, max ${gaps.at(-1)} ms`);
    const inTemporal = (await temporalHops(client, chainResult.workflowId)).sort((a, b) => a - b);
    console.log(`  of which inside Temporal (activity completed → next activity started, from history): median ${percentile(inTemporal, 50)} ms, p95 ${percentile(inTemporal, 95)} ms`);

    for (const latency of [0, 1000]) {
      taskLatencyMs = latency;
      llm.requests.length = 0;
      await run(`fanout-${latency}`, { plan: fanOut, options: { maxParallel: N } });
      const work = llm.requests.filter((r) => r.kind === 'task');
      const longest = Math.max(...work.map((r) => r.respondedAt! - r.receivedAt));
      const makespan = Math.max(...work.map((r) => r.respondedAt!)) - Math.min(...work.map((r) => r.receivedAt));
      const serial = work.reduce((sum, r) => sum + r.respondedAt! - r.receivedAt, 0);
      console.log(
        `fan-out of ${N} tasks, maxParallel ${N}, LLM latency ${latency} ms: makespan ${makespan} ms, longest task ${longest} ms, ` +
          `makespan / longest task = ${(makespan / Math.max(1, longest)).toFixed(2)}, serial / makespan = ${(serial / Math.max(1, makespan)).toFixed(1)}x`,
      );
    }
  } finally {
    worker.worker.shutdown();
    await running;
    await worker.close();
    await client.connection.close();
    await llm.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
