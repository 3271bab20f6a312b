// Bounded histories: with a low continueAsNewAfter a run hands its state to a new run of the same
// workflow id again and again; no task runs twice, an operator's approval sent across the
// hand-over lands, queries keep answering, the client's result follows the chain, and no run of
// the chain passes the threshold by much.
import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../src/run/types';
import { readRunTasks } from '../src/store/runTasks';
import { approveUpdate, statusQuery } from '../src/workflows/messages';
import { defaultHandler, sleep } from './support/fakeAnthropic';
import { mapPlan, planOf, runMapThatHandsOver, startTestEnv, type TestEnv } from './support/testEnv';

let env: TestEnv;
/** Items named "stuck" answer only after a long while: the map stays open. */
beforeAll(async () => {
  env = await startTestEnv(async (req) => {
    if (req.kind === 'task' && /Do stuck/.test(req.prompt)) await sleep(30_000);
    return defaultHandler(req);
  });
});
afterAll(async () => env?.close());

describe('continue-as-new', () => {
  it('hands a long run over to new runs without losing or repeating work, across an approval', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `C${i}`);
    const plan = planOf({ ...Object.fromEntries(ids.map((id, i) => [id, i % 10 === 0 || i === 0 ? [] : [ids[i - 1]!]])), GATE: [], AFTER: ['GATE', 'C39'] }, { GATE: { requiresApproval: true } });
    const handle = await env.start({ plan, options: { maxParallel: 3, continueAsNewAfter: 60, aggregate: 'plain' } });
    const firstRunId = (await handle.describe()).runId;

    // Wait until it has handed over at least once, then approve the gate in whichever run is current.
    let handedOver = false;
    for (let i = 0; i < 200 && !handedOver; i++) {
      handedOver = (await handle.describe()).runId !== firstRunId;
      if (!handedOver) await sleep(50);
    }
    expect(handedOver).toBe(true);
    const view = await handle.query(statusQuery);
    expect(view.tasks.find((t) => t.id === 'GATE')!.status).toBe('AwaitingApproval');
    await handle.executeUpdate(approveUpdate, { args: [{ requestId: 'approve-gate', taskId: 'GATE', reason: 'across the hand-over' }] });

    const result = await env.result(env.client.workflow.getHandle(handle.workflowId));
    expect(result.status).toBe('Completed');
    expect(result.tasks).toHaveLength(42);
    expect(result.tasks.every((t) => t.status === 'Completed' && t.attempts === 1)).toBe(true);
    expect(result.continuedAsNew).toBeGreaterThanOrEqual(2);
    // Every task called the LLM exactly once over the whole chain.
    for (const id of [...ids, 'GATE', 'AFTER']) expect(env.llm.callsFor(id), id).toHaveLength(1);
    expect(result.audit).toContainEqual(expect.objectContaining({ requestId: 'approve-gate', action: 'approve', taskId: 'GATE' }));
    // The report covers every task, as if it were one run.
    expect(result.report).toContain('| C39 | Task C39 | Completed |');

    // The first run ended by continuing as new; no run of the chain grew far past the threshold.
    expect((await env.client.workflow.getHandle(handle.workflowId, firstRunId).describe()).status.name).toBe('CONTINUED_AS_NEW');
    let runId: string | undefined = firstRunId;
    let runs = 0;
    while (runId) {
      const history: Awaited<ReturnType<typeof handle.fetchHistory>> = await env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
      const events = history.events ?? [];
      expect(events.length).toBeLessThan(60 + 40);
      runs++;
      const next: string | null | undefined = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
      runId = next ?? undefined;
    }
    expect(runs).toBe(result.continuedAsNew! + 1);
    await expect(env.client.workflow.getHandle('no-such-chain').describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('carries an open map across the hand-over: each item runs once, the reduce task gets them all, finished items go by reference', async () => {
    const items = Array.from({ length: 30 }, (_, i) => `i${i}`);
    const raw = await runMapThatHandsOver(env, items);
    expect(raw.status).toBe('Completed');
    expect(raw.continuedAsNew).toBeGreaterThanOrEqual(1);
    // Items completed before a hand-over are in the ledger pages, not in the result itself.
    expect(raw.taskPages?.length).toBeGreaterThanOrEqual(1);
    const inline = raw.tasks.filter((t) => t.id.startsWith('MAP['));
    expect(inline.length).toBeLessThan(items.length);
    // The report still counts every item; readRunTasks (what dagent result uses) gives them all, in item order.
    expect(raw.stats.completed).toBe(items.length + 2);
    const all = await readRunTasks(raw, env.store);
    expect(all.map((t) => t.id)).toEqual(['MAP', ...items.map((_, i) => `MAP[${i}]`), 'SUM']);
    expect(all.filter((t) => t.id.startsWith('MAP[')).every((t) => t.status === 'Completed' && t.outputHash && t.preview)).toBe(true);
    for (let i = 0; i < items.length; i++) expect(env.llm.callsFor(`MAP[${i}]`)).toHaveLength(1);
    const sum = env.llm.callsFor('SUM');
    expect(sum).toHaveLength(1);
    expect(items.every((_, i) => sum[0]!.prompt.includes(`## MAP[${i}]`))).toBe(true);
  });

  it('a run cancelled after a hand-over still ends with its report and its ledger', async () => {
    const items = [...Array.from({ length: 30 }, (_, i) => `i${i}`), 'stuck'];
    const handle = await env.start({
      plan: mapPlan(items),
      options: { maxParallel: 4, continueAsNewAfter: 60, aggregate: 'plain' },
    });
    const latest = env.client.workflow.getHandle(handle.workflowId);
    const first = (await handle.describe()).runId;
    for (let i = 0; i < 200; i++) {
      const view = await latest.query(statusQuery).catch(() => undefined);
      if ((await latest.describe()).runId !== first && view?.counts.Completed === 30 && view.tasks.find((t) => t.id === 'MAP[30]')?.status === 'Running') break;
      await sleep(50);
    }
    await latest.cancel();
    const raw = (await latest.result()) as RunResult;
    expect(raw.status).toBe('Cancelled');
    expect(raw.continuedAsNew).toBeGreaterThanOrEqual(1);
    expect(raw.report).toContain('Cancelled');
    // The items completed before the cancel are in the ledger; the stuck one was cancelled.
    const all = await readRunTasks(raw, env.store);
    expect(all.filter((t) => t.id.startsWith('MAP[') && t.status === 'Completed')).toHaveLength(30);
    expect(all.find((t) => t.id === 'MAP[30]')).toMatchObject({ status: 'Cancelled', reason: 'run cancelled' });
    expect(all.find((t) => t.id === 'SUM')!.status).toBe('Skipped');
  });
});
