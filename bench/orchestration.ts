// `npm run bench`: dagent against the smallest raw Temporal workflow doing the same work, side by
// side in one run on one dev server (with the speed settings every dagent dev server has), the
// same worker process and the same test LLM server; then the CLI's start-up, the workflow bundle,
// and the scheduling suite. Task times are taken at the LLM server, where a task's work starts
// and ends. Figures are ratios measured in this run, never compared with a fixed number.
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDist, WORKFLOW_BUNDLE_FILE } from '../scripts/buildDist';
import type { OrchestrateInput, Plan } from '../src/plan/schema';
import { predictSchedule } from '../src/plan/predictSchedule';
import type { RunResult } from '../src/run/types';
import { LocalResultStore } from '../src/store/resultStore';
import { connectClient } from '../src/temporal/connect';
import { startDevServer } from '../src/temporal/devServer';
import { createWorker } from '../src/workers/createWorker';
import { orchestrate } from '../src/workflows';
import { defaultHandler, sleep, startFakeAnthropic, type FakeAnthropic, type RecordedRequest } from '../test/support/fakeAnthropic';
import { createRawActivities } from './raw/activities';
import { rawChain, rawFanOut, rawPool } from './raw/workflows';
import { cliStartTimes, runToFirstTask, workerStart } from './cliStartup';
import { dagSuite } from './randomDags';
import { mean, median, percentile, ratio, trimmedMean } from './stats';

const CHAIN = 50;
/**
 * Runs are paired in rounds, raw and dagent a second apart, so that a machine drifting over the
 * section moves both; the pair's order alternates, so that what one run leaves behind (the
 * server's work after it, the garbage) weighs on either side alike.
 */
const CHAIN_ROUNDS = 8;
type Side = 'raw' | 'dagent';
/** Runs one round's pair in turn (raw first in even rounds) and gives each side's result. */
async function inTurn<T>(round: number, run: (side: Side) => Promise<T>): Promise<Record<Side, T>> {
  const result = {} as Record<Side, T>;
  for (const side of round % 2 === 0 ? (['raw', 'dagent'] as const) : (['dagent', 'raw'] as const)) result[side] = await run(side);
  return result;
}
// `npm run bench -- cli suite`: only those sections (orchestration, history, cli, suite, scale, runs); default all.
const SECTIONS = ['orchestration', 'history', 'cli', 'suite', 'scale', 'big', 'runs'] as const;
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : [...SECTIONS];
for (const w of wanted) if (!(SECTIONS as readonly string[]).includes(w)) throw new Error(`unknown section "${w}": choose from ${SECTIONS.join(', ')}`);
const section = (name: (typeof SECTIONS)[number]) => wanted.includes(name);
let taskLatencyMs = 0;
let outputBytes = 0;

const task = (i: number, dependsOn: string[]) => ({ id: `T${String(i).padStart(3, '0')}`, title: `Task ${i}`, prompt: `Do ${i}.`, dependsOn });
const chainPlan = (n: number): Plan => ({ tasks: Array.from({ length: n }, (_, i) => task(i, i === 0 ? [] : [task(i - 1, []).id])) });
const fanOutPlan = (n: number): Plan => ({ tasks: Array.from({ length: n }, (_, i) => task(i, [])) });

/** The task requests the LLM server saw since `from`, in arrival order. */
const taskCalls = (llm: FakeAnthropic, from: number) => llm.requests.slice(from).filter((r) => r.kind === 'task');
const span = (calls: RecordedRequest[]) => Math.max(...calls.map((r) => r.respondedAt!)) - Math.min(...calls.map((r) => r.receivedAt));
/** Gaps between one call's answer and the next call's arrival: a chain's hops. */
const hops = (calls: RecordedRequest[]) => calls.slice(1).map((r, i) => r.receivedAt - calls[i]!.respondedAt!);

async function historyOf(client: Client, workflowId: string) {
  return client.workflow.getHandle(workflowId).fetchHistory();
}

/** How long each workflow task took the worker (started → completed), from the history. */
function workflowTaskMs(history: proto.temporal.api.history.v1.IHistory): number[] {
  const ms = (e: proto.temporal.api.history.v1.IHistoryEvent) => Number(e.eventTime!.seconds) * 1000 + (e.eventTime!.nanos ?? 0) / 1e6;
  const out: number[] = [];
  let started: number | undefined;
  for (const e of history.events ?? []) {
    if (e.workflowTaskStartedEventAttributes) started = ms(e);
    if (e.workflowTaskCompletedEventAttributes && started !== undefined) out.push(ms(e) - started);
  }
  return out;
}

/** When each task activity started and completed, from the history (dagent's duration memo has activities of its own: left out). */
function taskActivityTimes(history: proto.temporal.api.history.v1.IHistory): { started: number[]; completed: number[] } {
  const ms = (e: proto.temporal.api.history.v1.IHistoryEvent) => Number(e.eventTime!.seconds) * 1000 + (e.eventTime!.nanos ?? 0) / 1e6;
  const taskActivity = new Set<string>();
  const started: number[] = [];
  const completed: number[] = [];
  for (const e of history.events ?? []) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled && !scheduled.activityId?.startsWith('durations-')) taskActivity.add(String(e.eventId));
    if (e.activityTaskStartedEventAttributes && taskActivity.has(String(e.activityTaskStartedEventAttributes.scheduledEventId))) started.push(ms(e));
    if (e.activityTaskCompletedEventAttributes && taskActivity.has(String(e.activityTaskCompletedEventAttributes.scheduledEventId))) completed.push(ms(e));
  }
  return { started, completed };
}

/** Activity completed → next activity started: the part of a chain's hop inside Temporal and the workflow. */
function temporalHops(history: proto.temporal.api.history.v1.IHistory): number[] {
  const { started, completed } = taskActivityTimes(history);
  return started.slice(1).map((s, i) => s - completed[i]!);
}

/** Per task of a chain: activity started → its LLM call arrived, and the answer sent → activity completed. */
function activitySides(history: proto.temporal.api.history.v1.IHistory, calls: RecordedRequest[]): { before: number[]; after: number[] } {
  const { started, completed } = taskActivityTimes(history);
  return { before: calls.map((c, i) => c.receivedAt - started[i]!), after: calls.map((c, i) => completed[i]! - c.respondedAt!) };
}

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

const historyBytes = (history: proto.temporal.api.history.v1.IHistory) => proto.temporal.api.history.v1.History.encode(history).finish().length;

async function main(): Promise<void> {
  console.log(`dagent: ${await buildDist()}`);
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const dir = await mkdtemp(join(tmpdir(), 'dagent-bench-'));
  const server = await startDevServer({ dbFile: join(dir, 'temporal.db'), headless: true, logFile: join(dir, 'temporal.log') });
  const client = await connectClient({ address: server.address, namespace: 'default' });
  const llm = await startFakeAnthropic(async (req) => {
    const work = /Work for (\d+) ms\./.exec(req.prompt);
    if (req.kind === 'task' && (work || taskLatencyMs)) await sleep(work ? Number(work[1]) : taskLatencyMs);
    if (req.kind === 'task' && outputBytes) return { text: 'x'.repeat(outputBytes) };
    return defaultHandler(req);
  });
  const slots = 600;
  const dagentWorker = await createWorker({
    address: server.address,
    namespace: 'default',
    taskQueue: 'bench',
    maxConcurrentActivities: slots,
    workflowBundle: { codePath: WORKFLOW_BUNDLE_FILE },
    llm: { apiKey: 'bench-key', baseURL: llm.url, defaultModel: 'claude-bench', requestTimeoutMs: 30_000 },
    store: new LocalResultStore(join(dir, 'results')),
  });
  const rawWorker = await Worker.create({
    connection: await NativeConnection.connect({ address: server.address }),
    taskQueue: 'bench-raw',
    workflowsPath: fileURLToPath(new URL('./raw/workflows.ts', import.meta.url)),
    activities: createRawActivities(llm.url),
    maxConcurrentActivityTaskExecutions: slots,
  });
  const running = Promise.all([dagentWorker.run(), rawWorker.run()]);
  let rawBundle: Awaited<ReturnType<typeof bundleWorkflowCode>> | undefined;
  /** The workflow code's own time for a run: its history replayed (median of 3), no server involved. */
  const replayMs = async (workflowId: string, history: proto.temporal.api.history.v1.IHistory, kind: Side): Promise<number> => {
    rawBundle ??= await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('./raw/workflows.ts', import.meta.url)), logger: quiet });
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      await Worker.runReplayHistory({ workflowBundle: kind === 'raw' ? rawBundle : { codePath: WORKFLOW_BUNDLE_FILE } }, history, `${workflowId}-replay-${i}`);
      times.push(performance.now() - started);
    }
    return Math.round(median(times));
  };
  // Each measured run starts with an empty request log: thousands of kept request bodies would
  // make the garbage collector a growing part of later runs.
  const freshRequests = (): number => {
    llm.requests.length = 0;
    return 0;
  };
  let n = 0;
  const dagent = async (input: OrchestrateInput): Promise<RunResult> => {
    const handle = await client.workflow.start(orchestrate, { taskQueue: 'bench', workflowId: `bench-dagent-${++n}`, args: [{ ...input, options: { aggregate: 'none', ...input.options } }] });
    return handle.result();
  };
  const raw = async (workflow: typeof rawChain, size: number): Promise<string> => {
    const handle = await client.workflow.start(workflow, { taskQueue: 'bench-raw', workflowId: `bench-raw-${++n}`, args: [size] });
    await handle.result();
    return handle.workflowId;
  };

  try {
    await dagent({ plan: fanOutPlan(4) });
    await raw(rawFanOut, 4);

    if (section('orchestration')) await orchestrationSection();
    if (section('history')) await historySection();
    if (section('cli')) await cliSection();
    if (section('suite')) await suiteSection();
    if (section('scale')) await scaleSection();
    if (section('big')) await bigRunSection();
    if (section('runs')) await manyRunsSection();
  } finally {
    dagentWorker.shutdown();
    rawWorker.shutdown();
    await running;
    await dagentWorker.close();
    await client.connection.close();
    await llm.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }

  async function orchestrationSection() {
    console.log('\n== orchestration against a raw Temporal workflow (same server, worker process and LLM server; zero LLM latency; medians of runs taken in turn)');
    const chainFigures = () => ({ hops: [] as number[], inside: [] as number[], task: [] as number[], before: [] as number[], after: [] as number[] });
    const chains = { raw: chainFigures(), dagent: chainFigures() };
    const startChain = async (side: Side): Promise<string> =>
      side === 'raw' ? raw(rawChain, CHAIN) : (await dagent({ plan: chainPlan(CHAIN), options: { maxParallel: 1 } })).workflowId;
    const roundRatios: number[] = [];
    for (let round = 0; round < CHAIN_ROUNDS; round++) {
      const hopsOf = await inTurn(round, async (side) => {
        const from = freshRequests();
        const workflowId = await startChain(side);
        const calls = taskCalls(llm, from);
        const figures = chains[side];
        const runHops = hops(calls);
        figures.hops.push(...runHops);
        const history = await historyOf(client, workflowId);
        const { before, after } = activitySides(history, calls);
        figures.before.push(...before);
        figures.after.push(...after);
        figures.inside.push(...temporalHops(history));
        figures.task.push(...workflowTaskMs(history));
        return runHops;
      });
      roundRatios.push(trimmedMean(hopsOf.dagent) / trimmedMean(hopsOf.raw));
    }
    // Trimmed means: the LLM server's clock has whole milliseconds, too coarse for medians of ~15 ms.
    const m = (values: number[]) => trimmedMean(values).toFixed(1);
    console.log(
      `chain of ${CHAIN} (×${CHAIN_ROUNDS}): hop (answer → next task's call; mean of the middle 80%) raw ${m(chains.raw.hops)} ms, dagent ${m(chains.dagent.hops)} ms ` +
        `(p95 ${percentile(chains.dagent.hops, 95)} ms): ratio ${median(roundRatios).toFixed(2)} (median of the rounds' ratios ${roundRatios.map((r) => r.toFixed(2)).join(' ')}; pooled ${ratio(trimmedMean(chains.dagent.hops), trimmedMean(chains.raw.hops))})`,
    );
    console.log(
      `  of which activity completed → next started (Temporal and the workflow): raw ${m(chains.raw.inside)} ms, dagent ${m(chains.dagent.inside)} ms; ` +
        `workflow task raw ${m(chains.raw.task)} ms, dagent ${m(chains.dagent.task)} ms`,
    );
    console.log(
      `  and inside the activity: started → LLM call raw ${m(chains.raw.before)} ms, dagent ${m(chains.dagent.before)} ms; ` +
        `answer → completed raw ${m(chains.raw.after)} ms, dagent ${m(chains.dagent.after)} ms`,
    );

    for (const [size, rounds] of [[50, 9], [500, 8]] as const) {
      const fanOutFigures = () => ({ span: [] as number[], whole: [] as number[], task: [] as number[], lastId: '', lastHistory: {} as proto.temporal.api.history.v1.IHistory });
      const runs = { raw: fanOutFigures(), dagent: fanOutFigures() };
      const startFanOut = async (side: Side): Promise<string> =>
        side === 'raw' ? raw(rawFanOut, size) : (await dagent({ plan: fanOutPlan(size), options: { maxParallel: Math.min(500, size) } })).workflowId;
      const roundRatios: number[] = [];
      for (let round = 0; round < rounds; round++) {
        const spanOf = await inTurn(round, async (side) => {
          const from = freshRequests();
          const started = Date.now();
          const figures = runs[side];
          figures.lastId = await startFanOut(side);
          figures.whole.push(Date.now() - started);
          const runSpan = span(taskCalls(llm, from));
          figures.span.push(runSpan);
          figures.lastHistory = await historyOf(client, figures.lastId);
          figures.task.push(...workflowTaskMs(figures.lastHistory));
          return runSpan;
        });
        roundRatios.push(spanOf.dagent / spanOf.raw);
      }
      const { raw: r, dagent: d } = runs;
      console.log(
        `fan-out of ${size} (×${rounds}): tasks' makespan raw ${median(r.span)} ms, dagent ${median(d.span)} ms: ratio ${median(roundRatios).toFixed(2)} ` +
          `(median of the rounds' ratios ${roundRatios.map((x) => x.toFixed(2)).join(' ')}); ` +
          `start → result raw ${median(r.whole)} ms, dagent ${median(d.whole)} ms: ratio ${ratio(median(d.whole), median(r.whole))}`,
      );
      console.log(
        `  workflow task p50/p95 raw ${percentile(r.task, 50).toFixed(0)}/${percentile(r.task, 95).toFixed(0)} ms, dagent ${percentile(d.task, 50).toFixed(0)}/${percentile(d.task, 95).toFixed(0)} ms; ` +
          `workflow code for one whole run, replayed: raw ${await replayMs(r.lastId, r.lastHistory, 'raw')} ms, dagent ${await replayMs(d.lastId, d.lastHistory, 'dagent')} ms`,
      );
    }

    taskLatencyMs = 1000;
    const from = freshRequests();
    await dagent({ plan: fanOutPlan(50), options: { maxParallel: 50 } });
    const slow = taskCalls(llm, from);
    const longest = Math.max(...slow.map((r) => r.respondedAt! - r.receivedAt));
    console.log(`fan-out of 50 at 1000 ms LLM latency: makespan ${span(slow)} ms ÷ longest task ${longest} ms = ${ratio(span(slow), longest)}`);
    taskLatencyMs = 0;
  }

  async function historySection() {
    console.log('\n== history per output byte (10 tasks; history growth ÷ output bytes against 10-byte outputs)');
    const historySize = async (bytes: number) => {
      outputBytes = bytes;
      const result = await dagent({ plan: fanOutPlan(10), options: { maxParallel: 10 } });
      outputBytes = 0;
      return historyBytes(await historyOf(client, result.workflowId));
    };
    const base = await historySize(10);
    for (const size of [8 * 1024, 50 * 1024]) {
      const grown = (await historySize(size)) - base;
      console.log(`outputs of ${size / 1024} KB: history grows ${grown} bytes for ${10 * size} output bytes: ${ratio(grown, 10 * size)}`);
    }

  }

  async function cliSection() {
    console.log('\n== CLI start (median of 7 launches) and worker');
    const cli = await cliStartTimes();
    console.log(`node -e 0 ${Math.round(cli.node)} ms; dagent --help ${Math.round(cli.help)} ms (${ratio(cli.help, cli.node)}× node); dagent validate ${Math.round(cli.validate)} ms (${ratio(cli.validate, cli.node)}× node)`);
    const firstTask = await runToFirstTask(server.address, llm, dir);
    console.log(`dagent run --file (own worker, server running): launch → first task's LLM call median ${median(firstTask)} ms (${firstTask.join(', ')})`);
    const workerMs = await workerStart(server.address);
    console.log(`dagent worker: launch → polling median ${median(workerMs)} ms (${workerMs.join(', ')})`);
    const bundle = await readFile(WORKFLOW_BUNDLE_FILE, 'utf8');
    const ajv = (bundle.match(/node_modules\/ajv\//g) ?? []).length;
    console.log(`workflow bundle: ${((await stat(WORKFLOW_BUNDLE_FILE)).size / 1024 / 1024).toFixed(2)} MB, ajv modules in it: ${ajv}`);
  }

  async function manyRunsSection() {
    console.log('\n== many runs: 200 runs at once of a 5-task review DAG (A, B → C, D → E), 200 ms LLM latency, one worker');
    freshRequests();
    const work = (id: string, dependsOn: string[]) => ({ id, title: id, prompt: `Review ${id}. Work for 200 ms.`, dependsOn });
    const plan = { tasks: [work('A', []), work('B', []), work('C', ['A']), work('D', ['B']), work('E', ['C', 'D'])] };
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 200 }, () => dagent({ plan })));
    const ms = Date.now() - started;
    const failed = results.filter((r) => r.status !== 'Completed').length;
    // The DAG's critical path is three 200 ms tasks: what a run takes beyond that is overhead.
    const overhead = results.map((r) => r.stats.makespanMs - 600);
    console.log(
      `200 runs: ${200 - failed} completed, ${failed} not; ${ms} ms in all (${((200 / ms) * 60_000).toFixed(0)} runs/minute); ` +
        `per-run overhead (makespan − 600 ms critical path) p50 ${percentile(overhead, 50).toFixed(0)} ms, p99 ${percentile(overhead, 99).toFixed(0)} ms, worst ${Math.max(...overhead)} ms`,
    );
  }

  async function scaleSection() {
    console.log('\n== scale: a map of 2,000 no-op items and one reduce task, maxParallel 200');
    freshRequests();
    const started = Date.now();
    const result = await dagent({
      plan: { tasks: [{ id: 'MAP', title: 'Each', prompt: 'Do {{item}}.', forEach: { items: Array.from({ length: 2000 }, (_, i) => `item ${i}`) } }, { id: 'REDUCE', title: 'Reduce', prompt: 'Reduce.', dependsOn: ['MAP'] }] },
      options: { maxParallel: 200, maxTasks: 2100 },
    });
    const ms = Date.now() - started;
    if (result.status !== 'Completed') throw new Error(`the map run ended ${result.status}`);
    const histories = await chainHistories(result.workflowId);
    const tasks = histories.flatMap(workflowTaskMs);
    console.log(
      `2,000 items: start → result ${ms} ms (${Math.round((2002 / ms) * 1000)} tasks/s); ${histories.length} runs in the chain, largest history ${Math.max(...histories.map((h) => h.events!.length))} events, ` +
        `${(Math.max(...histories.map(historyBytes)) / 1024 / 1024).toFixed(1)} MB; workflow task p50/p95 ${percentile(tasks, 50).toFixed(0)}/${percentile(tasks, 95).toFixed(0)} ms`,
    );
  }

  /** Every run of a workflow id's continue-as-new chain, oldest first. */
  async function chainHistories(workflowId: string) {
    const runs: string[] = [];
    for await (const execution of client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) runs.push(execution.runId);
    const histories = await Promise.all(runs.map((runId) => client.workflow.getHandle(workflowId, runId).fetchHistory()));
    return histories.sort((a, b) => Number(a.events![0]!.eventTime!.seconds) - Number(b.events![0]!.eventTime!.seconds));
  }

  async function bigRunSection() {
    const tasks = 10_000;
    console.log(`\n== big run: ${tasks.toLocaleString('en')} no-op LLM tasks (a map of ${tasks - 2} items, the map and a reduce task), maxParallel 200, against a raw pool of the same activities`);
    freshRequests();
    let started = Date.now();
    const result = await dagent({
      plan: { tasks: [{ id: 'MAP', title: 'Each', prompt: 'Do {{item}}.', forEach: { items: Array.from({ length: tasks - 2 }, (_, i) => `item ${i}`) } }, { id: 'REDUCE', title: 'Reduce', prompt: 'Reduce.', dependsOn: ['MAP'] }] },
      options: { maxParallel: 200, maxTasks: tasks },
    });
    const dagentMs = Date.now() - started;
    if (result.status !== 'Completed') throw new Error(`the big run ended ${result.status}`);
    const histories = await chainHistories(result.workflowId);
    const resultBytes = JSON.stringify(result).length;
    freshRequests();
    started = Date.now();
    const rawId = `bench-raw-${++n}`;
    await (await client.workflow.start(rawPool, { taskQueue: 'bench-raw', workflowId: rawId, args: [tasks, 200, 2000] })).result();
    const rawMs = Date.now() - started;
    const rawHistories = await chainHistories(rawId);
    const describe = (hs: typeof histories) => {
      const events = Math.max(...hs.map((h) => h.events!.length));
      const bytes = Math.max(...hs.map(historyBytes));
      const wft = hs.flatMap(workflowTaskMs);
      const failedTasks = hs.flatMap((h) => h.events!.filter((e) => e.workflowTaskFailedEventAttributes)).length;
      return `${hs.length} runs in the chain, largest history ${events} events / ${(bytes / 1024 / 1024).toFixed(1)} MB, workflow task p50/p95 ${percentile(wft, 50).toFixed(0)}/${percentile(wft, 95).toFixed(0)} ms, ${failedTasks} failed or force-closed workflow tasks`;
    };
    const dagentRate = (tasks / dagentMs) * 1000;
    const rawRate = (tasks / rawMs) * 1000;
    console.log(`dagent: ${dagentMs} ms (${dagentRate.toFixed(0)} tasks/s); ${describe(histories)}; RunResult ${(resultBytes / 1024).toFixed(0)} KB`);
    console.log(`raw:    ${rawMs} ms (${rawRate.toFixed(0)} tasks/s); ${describe(rawHistories)}`);
    console.log(`dagent's tasks/s as a fraction of the raw floor's: ${(dagentRate / rawRate).toFixed(2)}`);
  }

  async function suiteSection() {
    console.log('\n== scheduling suite: makespan ÷ max(critical path, work ÷ maxParallel), tasks shuffled in the plan');
    const ratios = { plan: [] as number[], cp: [] as number[] };
    for (const dag of dagSuite()) {
      const lower = predictSchedule(dag.plan.tasks, (t) => dag.durations.get(t.id)!, dag.maxParallel);
      const bound = Math.max(lower.criticalPath, lower.workPerSlot);
      const measured: Record<'plan' | 'cp', number> = { plan: 0, cp: 0 };
      for (const [key, order] of [['plan', 'plan'], ['cp', 'critical-path']] as const) {
        const from = freshRequests();
        const result = await dagent({ plan: dag.plan, options: { maxParallel: dag.maxParallel, startOrder: order } });
        if (result.status !== 'Completed') throw new Error(`${dag.name}: ${result.status}`);
        measured[key] = span(taskCalls(llm, from)) / bound;
        ratios[key].push(measured[key]);
      }
      const predicted = (order: 'plan' | 'critical-path') => predictSchedule(dag.plan.tasks, (t) => dag.durations.get(t.id)!, dag.maxParallel, order).makespan / bound;
      console.log(
        `${dag.name}: plan order ${measured.plan.toFixed(2)}, critical-path-first ${measured.cp.toFixed(2)} (predicted ${predicted('plan').toFixed(2)} / ${predicted('critical-path').toFixed(2)})`,
      );
    }
    console.log(`mean: plan order ${mean(ratios.plan).toFixed(2)}, critical-path-first ${mean(ratios.cp).toFixed(2)}`);
  }
}

await main();
