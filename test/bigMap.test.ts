// A 2,000-item map through the real server and worker, handing over (continue-as-new) several
// times on the way: every item runs once, an operator's retry of one item lands across a
// hand-over, no history or payload nears Temporal's limits, and the result lists the completed
// items by reference (the ledger), whole again through readRunTasks.
import proto from '@temporalio/proto';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateAcrossHandOver } from '../src/client/updateAcrossHandOver';
import type { RunResult } from '../src/run/types';
import { writePagedJson } from '../src/store/pagedJson';
import { readRunTasks } from '../src/store/runTasks';
import { retryTaskUpdate, statusQuery } from '../src/workflows/messages';
import { defaultHandler, sleep, type Handler } from './support/fakeAnthropic';
import { startTestEnv, type TestEnv } from './support/testEnv';

const ITEMS = 2_000;
let env: TestEnv;
let failing = true;
let holdLast = true;
const handler: Handler = async (req) => {
  if (req.kind !== 'task') return defaultHandler(req);
  if (/Do item 1234\./.test(req.prompt) && failing) return { status: 400, errorType: 'invalid_request_error', message: 'not this one' };
  // The last item waits until the retry is in: the map stays open, so one of its items can be retried.
  while (/Do item 1999\./.test(req.prompt) && holdLast) await sleep(50);
  return defaultHandler(req);
};

beforeAll(async () => {
  env = await startTestEnv(handler, { maxConcurrentActivities: 200 });
});
afterAll(async () => {
  await env?.close();
});

describe('a 2,000-item map', () => {
  it('runs every item once across hand-overs, takes a retry of one item, and keeps each history and payload small', async () => {
    // Items of ~120 characters: the plan and the state a run hands over are over 200 KB, so both
    // travel by reference (the plan as dagent run would send it; the state as the run does).
    const items = Array.from({ length: ITEMS }, (_, i) => `item ${i}. ${'in detail '.repeat(11)}`);
    const plan = { tasks: [{ id: 'MAP', title: 'Each', prompt: 'Do {{item}}.', retries: 0, forEach: { items } }, { id: 'REDUCE', title: 'Reduce', prompt: 'Reduce.', dependsOn: ['MAP'] }] };
    const planRef = await writePagedJson(env.store, `big-map-plan-${randomUUID()}`, plan);
    expect(planRef.pages.length).toBeGreaterThan(1);
    const handle = await env.start({ planRef, options: { maxParallel: 200, maxTasks: ITEMS + 2, continueAsNewAfter: 1500, aggregate: 'plain' } });
    const firstRun = (await handle.describe()).runId;
    const latest = env.client.workflow.getHandle(handle.workflowId);
    // The failed item shows in the live view (a big run lists the items not completed), after a hand-over.
    for (let i = 0; i < 600; i++) {
      const view = await latest.query(statusQuery);
      if (view.tasks.find((t) => t.id === 'MAP[1234]')?.status === 'Failed' && (await latest.describe()).runId !== firstRun) break;
      await sleep(100);
    }
    expect((await latest.query(statusQuery)).tasks.find((t) => t.id === 'MAP[1234]')?.status).toBe('Failed');
    failing = false;
    // As dagent retry sends it: should it reach a run just handing over, it is sent again to the next.
    await updateAcrossHandOver(env.client, handle.workflowId, (h) => h.executeUpdate(retryTaskUpdate, { args: [{ requestId: 'retry-1234', taskId: 'MAP[1234]' }], updateId: 'retry-1234' }));
    holdLast = false;
    const raw = (await latest.result()) as RunResult;

    expect(raw.status).toBe('Completed');
    expect(raw.continuedAsNew).toBeGreaterThanOrEqual(2);
    expect(raw.stats.completed).toBe(ITEMS + 2);
    // Each item called the model once (the retried one twice), the reduce task once, with every output.
    const calls = new Map<string, number>();
    for (const r of env.llm.requests) if (r.kind === 'task' && r.taskId) calls.set(r.taskId, (calls.get(r.taskId) ?? 0) + 1);
    expect(items.filter((_, i) => calls.get(`MAP[${i}]`) !== (i === 1234 ? 2 : 1))).toEqual([]);
    const reduce = env.llm.callsFor('REDUCE');
    expect(reduce).toHaveLength(1);
    expect(reduce[0]!.prompt).toContain('## MAP[1999]');

    // The result lists the completed items by reference; readRunTasks gives all 2,002, in order.
    expect(raw.taskPages?.length).toBeGreaterThanOrEqual(1);
    // Its own size is the plan (~250 KB of items) and little else.
    expect(JSON.stringify(raw.tasks).length).toBeLessThan(20 * 1024);
    expect(JSON.stringify(raw).length).toBeLessThan(400 * 1024);
    const all = await readRunTasks(raw, env.store);
    expect(all.map((t) => t.id)).toEqual(['MAP', ...items.map((_, i) => `MAP[${i}]`), 'REDUCE']);
    expect(all.every((t) => t.status === 'Completed')).toBe(true);
    expect(all.find((t) => t.id === 'MAP[1234]')!.attempts).toBe(2);
    expect(raw.audit.map((a) => [a.action, a.taskId])).toContainEqual(['retry', 'MAP[1234]']);

    // Every run of the chain: a bounded history, no payload near 512 KB, no failed workflow task.
    const runs: string[] = [];
    let byReference = 0;
    for await (const execution of env.client.workflow.list({ query: `WorkflowId = "${handle.workflowId}"` })) runs.push(execution.runId);
    expect(runs.length).toBe(raw.continuedAsNew! + 1);
    for (const runId of runs) {
      const history = await env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
      const events = history.events ?? [];
      expect(events.length).toBeLessThan(3_000);
      const largest = Math.max(...events.map((e) => proto.temporal.api.history.v1.HistoryEvent.encode(e).finish().length));
      expect(largest).toBeLessThan(512 * 1024);
      expect(events.filter((e) => e.workflowTaskFailedEventAttributes)).toEqual([]);
      const input = JSON.parse(Buffer.from(events[0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!.data!).toString('utf8')) as { plan?: unknown; carriedRef?: unknown };
      expect(input.plan).toBeUndefined();
      if (input.carriedRef) byReference++;
    }
    // Every run after the first started from state carried by reference.
    expect(byReference).toBe(runs.length - 1);
  }, 240_000);
});
