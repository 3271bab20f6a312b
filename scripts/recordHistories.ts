// Records one history per workflow feature into test/histories/, for the replay test.
// Run after a deliberate workflow change: `npm run record-histories` (needs Go or temporal on PATH);
// `npm run record-histories -- NAME …` records only the scenarios named.
import type { Client, WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrchestrateInput } from '../src/plan/schema';
import type { RunStatusView } from '../src/run/types';
import { approveUpdate, cancelTaskUpdate, patchPlanUpdate, rejectUpdate, releaseUpdate, retryTaskUpdate, statusQuery } from '../src/workflows/messages';
import { LocalResultStore, type ResultStore } from '../src/store/resultStore';
import { writePagedJson } from '../src/store/pagedJson';
import { startDevServer } from '../src/temporal/devServer';
import { connectClient } from '../src/temporal/connect';
import { createWorker } from '../src/workers/createWorker';
import { defaultHandler, sleep, startFakeAnthropic, type Handler } from '../test/support/fakeAnthropic';

const OUT_DIR = new URL('../test/histories/', import.meta.url);
const t = (id: string, dependsOn: string[] = []) => ({ id, title: `Task ${id}`, prompt: `Do ${id}.`, dependsOn });

interface Scenario {
  name: string;
  input: OrchestrateInput | { goal: string };
  handler: Handler;
  workflowType?: 'orchestrate' | 'planGoal';
  /** Child workflows (by task id) whose histories are recorded too, as NAME-TASK.json. */
  children?: string[];
  /** Skill queues the recording worker serves besides the run queue. */
  queues?: string[];
  /** What an operator does while the run goes on. */
  drive?: (handle: WorkflowHandle) => Promise<void>;
  /** The run continues as new: every run of its chain is recorded, as NAME-run1.json, NAME-run2.json, … */
  chain?: boolean;
  /** Runs an earlier run first (on the same worker and store) and adds to the input what refers to it. */
  before?: (run: (input: OrchestrateInput) => Promise<string>, store: ResultStore) => Promise<Partial<OrchestrateInput>>;
}

async function untilStatus(handle: WorkflowHandle, ok: (v: RunStatusView) => boolean): Promise<void> {
  while (!ok(await handle.query(statusQuery))) await sleep(100);
}
const taskIs = (id: string, status: string) => (v: RunStatusView) => v.tasks.find((t) => t.id === id)?.status === status;

function scenarios(): Scenario[] {
  let overloaded = 0;
  let planned = 0;
  let failC = true;
  let failHeld = true;
  const diamond = { tasks: [t('A'), t('B', ['A']), t('C', ['A']), t('D', ['B', 'C'])] };
  // Tasks an operator acts on while others run: one to approve, one to reject, one that fails
  // until retried with a new prompt, one long enough to cancel.
  const operatorTasks = [
    { ...t('HOLD'), backend: 'shell' as const, command: 'sleep 3' },
    { ...t('GATE'), requiresApproval: true },
    { ...t('NO'), requiresApproval: true },
    t('FLAKY'),
    t('AFTER', ['FLAKY']),
    { ...t('LONG'), backend: 'shell' as const, command: 'sleep 30' },
  ];
  const flakyFirst: Handler = (req) => (req.taskId === 'FLAKY' && !req.prompt.includes('again') ? { status: 400, message: 'broken' } : defaultHandler(req));
  return [
    { name: 'plain-diamond', input: { plan: diamond }, handler: defaultHandler },
    {
      name: 'agent-loop',
      // An anthropic task with a workspace is an agent: list_files, read_file, then an answer.
      input: { plan: { tasks: [t('AGENT')] }, options: { workdir: process.cwd() } },
      children: ['AGENT'],
      handler: (req) => {
        if (req.kind !== 'task') return defaultHandler(req);
        const turn = req.body.messages.filter((m) => m.role === 'assistant').length + 1;
        if (turn === 1) return { tool: { name: 'list_files', input: { pattern: 'src/workflows/*.ts' } } };
        if (turn === 2) return { tool: { name: 'read_file', input: { path: 'src/workflows/agentTask.ts', startLine: 1, endLine: 5 } } };
        return { text: 'src/workflows/agentTask.ts:1 explains the loop.' };
      },
    },
    {
      name: 'goal-with-workspace',
      // This repository is the workspace: the planner is shown its summary, by reference.
      input: { goal: 'Review this project', options: { workdir: process.cwd(), planCache: false } },
      handler: (req) => (req.kind === 'decompose' ? { tool: { name: 'submit_plan', input: { tasks: [t('SRC'), t('TESTS')] } } } : defaultHandler(req)),
    },
    {
      name: 'goal-with-plan-repair',
      input: { goal: 'Review a repository' },
      handler: (req) =>
        req.kind === 'decompose'
          ? { tool: { name: 'submit_plan', input: ++planned === 1 ? { tasks: [t('A', ['B']), t('B', ['A'])] } : { tasks: [t('A'), t('B', ['A'])] } } }
          : defaultHandler(req),
    },
    {
      name: 'failure-isolation',
      input: { plan: { tasks: [t('A'), t('BAD', ['A']), t('CHILD', ['BAD']), t('OTHER', ['A'])] } },
      handler: (req) => (req.taskId === 'BAD' ? { status: 400, message: 'broken' } : defaultHandler(req)),
    },
    {
      name: 'fail-fast',
      input: { plan: { tasks: [t('BAD'), t('LONG'), t('AFTER', ['LONG'])] }, options: { failFast: true } },
      handler: async (req) => {
        if (req.taskId === 'LONG') await sleep(3000);
        return req.taskId === 'BAD' ? { status: 400, message: 'broken' } : defaultHandler(req);
      },
    },
    {
      name: 'critical-task-and-plan-options',
      input: {
        plan: {
          maxParallel: 2,
          tasks: [
            { id: 'CRIT', title: 'Critical', backend: 'shell', command: 'sleep 0.5; exit 3', critical: true },
            { id: 'SLOW', title: 'Slow', backend: 'shell', command: 'sleep 5' },
            { id: 'AFTER', title: 'After', backend: 'shell', command: 'true', dependsOn: ['SLOW'] },
          ],
        },
        options: { aggregate: 'plain' },
      },
      handler: defaultHandler,
    },
    {
      name: 'plan-goal',
      workflowType: 'planGoal',
      input: { goal: 'Plan only' },
      handler: (req) => (req.kind === 'decompose' ? { tool: { name: 'submit_plan', input: { tasks: [t('A'), t('B', ['A'])] } } } : defaultHandler(req)),
    },
    {
      name: 'plan-approval-with-patch',
      input: { plan: diamond, options: { approval: 'plan' } },
      handler: defaultHandler,
      drive: async (handle) => {
        await untilStatus(handle, (v) => v.phase === 'AwaitingApproval');
        await handle.executeUpdate(patchPlanUpdate, { args: [{ requestId: 'p1', patch: { add: [{ id: 'E', title: 'Task E', prompt: 'Do E.', dependsOn: ['A'] }] } }] });
        await handle.executeUpdate(approveUpdate, { args: [{ requestId: 'a1' }] });
      },
    },
    {
      // The execute loop woken by each change rather than by a polled condition (runs begun since
      // the 'wake-on-change' patch): tasks ending together and apart, an approval, a rejection and
      // a retry from an operator while tasks run, then the whole run cancelled.
      name: 'wake-on-change',
      input: {
        plan: {
          tasks: [...diamond.tasks, ...operatorTasks],
        },
      },
      handler: flakyFirst,
      drive: async (handle) => {
        await untilStatus(handle, (v) => taskIs('GATE', 'AwaitingApproval')(v) && taskIs('FLAKY', 'Failed')(v) && taskIs('LONG', 'Running')(v) && taskIs('D', 'Completed')(v));
        await handle.executeUpdate(approveUpdate, { args: [{ requestId: 'g1', taskId: 'GATE' }] });
        await handle.executeUpdate(rejectUpdate, { args: [{ requestId: 'n1', taskId: 'NO', reason: 'not needed' }] });
        await handle.executeUpdate(retryTaskUpdate, { args: [{ requestId: 'r1', taskId: 'FLAKY', prompt: 'Do FLAKY again.' }] });
        await untilStatus(handle, taskIs('AFTER', 'Completed'));
        await handle.cancel();
      },
    },
    {
      name: 'task-approval-retry-and-cancel',
      input: {
        plan: {
          tasks: operatorTasks,
        },
      },
      handler: flakyFirst,
      drive: async (handle) => {
        await untilStatus(handle, (v) => taskIs('GATE', 'AwaitingApproval')(v) && taskIs('FLAKY', 'Failed')(v) && taskIs('LONG', 'Running')(v));
        await handle.executeUpdate(approveUpdate, { args: [{ requestId: 'g1', taskId: 'GATE' }] });
        await handle.executeUpdate(rejectUpdate, { args: [{ requestId: 'n1', taskId: 'NO', reason: 'not needed' }] });
        await handle.executeUpdate(retryTaskUpdate, { args: [{ requestId: 'r1', taskId: 'FLAKY', prompt: 'Do FLAKY again.' }] });
        await handle.executeUpdate(cancelTaskUpdate, { args: [{ requestId: 'c1', taskId: 'LONG' }] });
      },
    },
    {
      name: 'run-cancelled',
      input: { plan: { tasks: [t('DONE'), { ...t('STUCK', ['DONE']), backend: 'shell', command: 'sleep 30' }] } },
      handler: defaultHandler,
      drive: async (handle) => {
        await untilStatus(handle, taskIs('STUCK', 'Running'));
        await handle.cancel();
      },
    },
    {
      name: 'sub-plan',
      input: { plan: { goal: 'Parent', tasks: [t('SCAN'), { ...t('SPLIT', ['SCAN']), decompose: true }] } },
      handler: (req) => (req.kind === 'decompose' ? { tool: { name: 'submit_plan', input: { tasks: [t('SUB-1'), t('SUB-2', ['SUB-1'])] } } } : defaultHandler(req)),
    },
    {
      name: 'budget-stop',
      input: { plan: { tasks: [t('B1'), t('B2'), t('B3'), t('B4')] }, options: { maxParallel: 1, budget: { maxTokens: 50 } } },
      handler: defaultHandler,
    },
    {
      name: 'retry-then-success',
      input: { plan: { tasks: [t('R')] }, options: { retryInitialInterval: '200ms' } },
      handler: (req) => (req.kind === 'task' && ++overloaded === 1 ? { status: 529, errorType: 'overloaded_error', message: 'Overloaded' } : defaultHandler(req)),
    },
    {
      name: 'critical-path-first',
      input: { plan: { tasks: [t('S-1'), t('S-2'), t('C-1'), t('C-2', ['C-1']), t('C-3', ['C-2'])] }, options: { maxParallel: 1, aggregate: 'none' } },
      handler: defaultHandler,
    },
    {
      // Priority keys on the task activities, and the duration memo looked up and written.
      name: 'critical-path-memo',
      input: { plan: { tasks: [t('S-1'), t('S-2'), t('C-1'), t('C-2', ['C-1']), t('C-3', ['C-2'])] }, options: { maxParallel: 1, aggregate: 'none' } },
      handler: defaultHandler,
    },
    {
      // A one-activity task adds its own duration to the memo; the run adds its agent task's at the end.
      name: 'durations-by-tasks',
      input: { plan: { tasks: [t('PLAIN'), { ...t('AGENT', ['PLAIN']), workdir: process.cwd() }] }, options: { aggregate: 'none' } },
      handler: defaultHandler,
    },
    {
      // A rerun of a run whose C failed: A and B are reused from it, C and D run.
      name: 'rerun-reuse',
      input: { plan: diamond, options: { aggregate: 'none' } },
      before: async (run) => {
        const earlier = await run({ plan: diamond, options: { aggregate: 'none' } });
        failC = false;
        return { reuseFrom: earlier, fromTasks: ['D'] };
      },
      handler: (req) => (req.kind === 'task' && req.taskId === 'C' && failC ? { status: 400, message: 'broken' } : defaultHandler(req)),
    },
    {
      // The cross-run cache: A and B are found under their keys; NEW runs.
      name: 'reuse-cache',
      input: { plan: { tasks: [t('A'), t('B', ['A']), t('NEW', ['B'])] }, options: { aggregate: 'none', reuse: true } },
      before: async (run) => {
        await run({ plan: { tasks: [t('A'), t('B', ['A'])] }, options: { aggregate: 'none' } });
        return {};
      },
      handler: defaultHandler,
    },
    {
      // Held on a failure, then the failed task retried: the run completes.
      name: 'hold-then-retry',
      input: { plan: { tasks: [t('H'), t('AFTER', ['H']), t('OTHER')] }, options: { holdOnFailure: true, aggregate: 'none' } },
      handler: (req) => (req.kind === 'task' && req.taskId === 'H' && failHeld ? { status: 400, message: 'broken' } : defaultHandler(req)),
      drive: async (handle) => {
        await untilStatus(handle, (v) => v.phase === 'Held');
        failHeld = false;
        await handle.executeUpdate(retryTaskUpdate, { args: [{ requestId: 'retry-h', taskId: 'H' }] });
      },
    },
    {
      // Held on a failure, then released: the report is written from what finished.
      name: 'hold-released',
      input: { plan: { tasks: [t('BAD'), t('OK')] }, options: { holdOnFailure: '1h' } },
      handler: (req) => (req.kind === 'task' && req.taskId === 'BAD' ? { status: 400, message: 'broken' } : defaultHandler(req)),
      drive: async (handle) => {
        await untilStatus(handle, (v) => v.phase === 'Held');
        await handle.executeUpdate(releaseUpdate, { args: [{ requestId: 'release', reason: 'good enough' }] });
      },
    },
    {
      // Maps: one from an upstream list (one item failing, allowed), one with listed items, and a reduce task.
      name: 'map-expansion',
      input: {
        plan: {
          tasks: [
            t('LIST'),
            { ...t('EACH', ['LIST']), prompt: 'Check {{item}}.', forEach: { from: 'LIST', allowFailures: 1 } },
            { ...t('FIXED'), prompt: 'Say {{item}} ({{index}}).', forEach: { items: ['x', 'y'] } },
            t('REDUCE', ['EACH', 'FIXED']),
          ],
        },
        options: { maxParallel: 2, aggregate: 'none' },
      },
      handler: (req) => {
        if (req.taskId === 'LIST') return { text: '["a", "b", "c"]' };
        if (req.kind === 'task' && /Check b/.test(req.prompt)) return { status: 400, message: 'broken' };
        return defaultHandler(req);
      },
    },
    {
      // A run that continues as new twice or more (a low threshold), with an approval carried over.
      name: 'continue-as-new',
      chain: true,
      input: { plan: { tasks: [...Array.from({ length: 12 }, (_, i) => t(`K${i}`, i % 4 === 0 ? [] : [`K${i - 1}`])), { ...t('GATE'), requiresApproval: true }] }, options: { maxParallel: 2, continueAsNewAfter: 50, aggregate: 'none' } },
      handler: defaultHandler,
      drive: async (handle) => {
        const first = (await handle.describe()).runId;
        while ((await handle.describe()).runId === first) await sleep(50);
        await untilStatus(handle, taskIs('GATE', 'AwaitingApproval'));
        await handle.executeUpdate(approveUpdate, { args: [{ requestId: 'approve-gate', taskId: 'GATE' }] });
      },
    },
    {
      // A map handed over twice: its completed items filed in the ledger, carried compactly; the
      // plan itself read in by reference, as dagent run sends a big one.
      name: 'continue-as-new-ledger',
      chain: true,
      input: { options: { maxParallel: 3, continueAsNewAfter: 60, aggregate: 'plain' } },
      before: async (_run, store) => ({
        planRef: await writePagedJson(store, 'plans/continue-as-new-ledger', { tasks: [{ ...t('MAP'), prompt: 'Do {{item}}.', forEach: { items: Array.from({ length: 16 }, (_, i) => `item ${i}`) } }, t('REDUCE', ['MAP'])] }),
      }),
      handler: defaultHandler,
    },
    {
      name: 'skill-queue',
      input: { plan: { tasks: [t('T-01'), { ...t('T-02', ['T-01']), queue: 'skill' }, { ...t('T-03', ['T-01']), backend: 'shell', command: 'echo shell' }] }, options: { queues: { shell: 'skill' } } },
      handler: defaultHandler,
      queues: ['skill'],
    },
  ];
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const dir = await mkdtemp(join(tmpdir(), 'dagent-record-'));
  const server = await startDevServer({ dbFile: join(dir, 'temporal.db'), headless: true, logFile: join(dir, 'temporal.log') });
  const client: Client = await connectClient({ address: server.address, namespace: 'default' });
  try {
    const only = process.argv.slice(2);
    for (const scenario of scenarios().filter((sc) => only.length === 0 || only.includes(sc.name))) {
      const llm = await startFakeAnthropic(scenario.handler);
      const taskQueue = `record-${scenario.name}`;
      const store = new LocalResultStore(join(dir, `results-${scenario.name}`));
      const w = await createWorker({
        address: server.address,
        namespace: 'default',
        taskQueue,
        llm: { apiKey: 'record-key', baseURL: llm.url, defaultModel: 'claude-test', requestTimeoutMs: 30_000 },
        store,
        queues: (scenario.queues ?? []).map((name) => ({ name })),
      });
      const running = w.run();
      const earlier = scenario.before
        ? await scenario.before(async (input) => {
            const first = await client.workflow.start('orchestrate', { taskQueue, workflowId: `history-${scenario.name}-before`, args: [input] });
            await first.result();
            return first.workflowId;
          }, store)
        : {};
      const handle = await client.workflow.start(scenario.workflowType ?? 'orchestrate', { taskQueue, workflowId: `history-${scenario.name}`, args: [{ ...(scenario.input as OrchestrateInput), ...earlier }] });
      await Promise.all([handle.result(), scenario.drive?.(handle)]);
      w.shutdown();
      await running;
      await w.close();
      await llm.close();
      if (scenario.chain) {
        let runId: string | undefined = handle.firstExecutionRunId;
        for (let k = 1; runId; k++) {
          const history = await client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
          await writeFile(new URL(`${scenario.name}-run${k}.json`, OUT_DIR), historyToJSON(history));
          console.log(`recorded ${scenario.name}-run${k}: ${history.events?.length} events`);
          runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
        }
      } else {
        const history = await handle.fetchHistory();
        await writeFile(new URL(`${scenario.name}.json`, OUT_DIR), historyToJSON(history));
        console.log(`recorded ${scenario.name}: ${history.events?.length} events`);
      }
      for (const taskId of scenario.children ?? []) {
        const child = await client.workflow.getHandle(`${handle.workflowId}/${taskId}`).fetchHistory();
        await writeFile(new URL(`${scenario.name}-${taskId.toLowerCase()}.json`, OUT_DIR), historyToJSON(child));
        console.log(`recorded ${scenario.name}-${taskId.toLowerCase()}: ${child.events?.length} events`);
      }
    }
  } finally {
    await client.connection.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
