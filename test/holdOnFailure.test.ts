// holdOnFailure: a task that fails for good holds the run (phase Held) instead of ending it; an
// operator retries, skips, patches or releases it (from the CLI too, and `dagent list --status
// held` finds it); a hold that times out is released by default, with an audit entry.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunResult } from '../src/run/types';
import { releaseUpdate, retryTaskUpdate, skipTaskUpdate, statusQuery } from '../src/workflows/messages';
import { defaultHandler, sleep, type Handler } from './support/fakeAnthropic';
import { cleanEnv, runDagent } from './support/processes';
import { planOf, startTestEnv, type TestEnv } from './support/testEnv';
import type { WorkflowHandle } from '@temporalio/client';

let env: TestEnv;
let failing = new Set<string>();
const handler: Handler = (req) => (req.kind === 'task' && failing.has(req.taskId!) ? { status: 400, errorType: 'invalid_request_error', message: `no ${req.taskId}` } : defaultHandler(req));
beforeAll(async () => {
  env = await startTestEnv((req) => handler(req));
});
afterAll(async () => env?.close());

async function held(handle: WorkflowHandle) {
  for (let i = 0; i < 100; i++) {
    const view = await handle.query(statusQuery);
    if (view.phase === 'Held') return view;
    await sleep(100);
  }
  throw new Error('the run never held');
}

const plan = () => planOf({ A: [], B: ['A'], C: [] });

describe('hold on failure', () => {
  it('holds instead of ending (open, no report), and release is refused for a run that is not held', async () => {
    failing = new Set(['A']);
    const handle = await env.start({ plan: plan(), options: { holdOnFailure: true, aggregate: 'plain' } });
    const view = await held(handle);
    expect(view.tasks.map((t) => [t.id, t.status])).toEqual([['A', 'Failed'], ['B', 'Skipped'], ['C', 'Completed']]);
    // Held is not ended: no report yet, the run is open.
    await sleep(500);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect((await handle.query(statusQuery)).phase).toBe('Held');
    await handle.executeUpdate(releaseUpdate, { args: [{ requestId: 'r0' }] });
    expect(((await handle.result()) as RunResult).status).toBe('Failed');

    failing = new Set();
    const other = await env.start({ plan: plan(), options: { holdOnFailure: true, aggregate: 'plain' } });
    // Release is refused while a run is not held, and changes nothing.
    await expect(other.executeUpdate(releaseUpdate, { args: [{ requestId: 'r1' }] })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/^cannot release the run: it is (?!Held)\w+, not held$/) } });
    await other.result();
  });

  it('a retry of the failed task resumes the run, which completes', async () => {
    failing = new Set(['A']);
    const handle = await env.start({ plan: plan(), options: { holdOnFailure: true, aggregate: 'plain' } });
    await held(handle);
    failing = new Set();
    const after = await handle.executeUpdate(retryTaskUpdate, { args: [{ requestId: 'retry-a', taskId: 'A' }] });
    expect(after.tasks.find((t) => t.id === 'B')!.status).toBe('Pending');
    const result = (await handle.result()) as RunResult;
    expect(result.status).toBe('Completed');
    expect(result.tasks.map((t) => [t.id, t.status])).toEqual([['A', 'Completed'], ['B', 'Completed'], ['C', 'Completed']]);
  });

  it('release writes the report from what finished; skipping the failed task ends it too', async () => {
    failing = new Set(['A']);
    const released = await env.start({ plan: plan(), options: { holdOnFailure: '1h', aggregate: 'plain' } });
    await held(released);
    await released.executeUpdate(releaseUpdate, { args: [{ requestId: 'rel', reason: 'good enough' }] });
    const result = (await released.result()) as RunResult;
    expect(result.status).toBe('Failed');
    expect(result.report).toContain('output of C');
    expect(result.audit.map((a) => [a.action, a.effect])).toContainEqual(['release', 'released: the report is written from what finished']);

    const skipped = await env.start({ plan: plan(), options: { holdOnFailure: true, aggregate: 'none' } });
    await held(skipped);
    await skipped.executeUpdate(skipTaskUpdate, { args: [{ requestId: 'skip-a', taskId: 'A', reason: 'not needed' }] });
    const ended = (await skipped.result()) as RunResult;
    expect(ended.tasks.map((t) => [t.id, t.status])).toEqual([['A', 'Skipped'], ['B', 'Skipped'], ['C', 'Completed']]);
  });

  it('a hold that times out is released by default, saying so in the audit list', async () => {
    failing = new Set(['A']);
    const handle = await env.start({ plan: plan(), options: { holdOnFailure: '2s', aggregate: 'none' } });
    await held(handle);
    const result = (await handle.result()) as RunResult;
    expect(result.status).toBe('Failed');
    expect(result.audit).toContainEqual(expect.objectContaining({ requestId: 'timeout:hold', action: 'release', reason: 'hold timed out' }));
  });

  it('dagent list --status held finds the run; dagent release releases it', async () => {
    failing = new Set(['A']);
    const handle = await env.start({ plan: plan(), options: { holdOnFailure: true, aggregate: 'none', searchAttributes: true } }, `held-${randomUUID()}`);
    await held(handle);
    const cli = (...args: string[]) => runDagent(args, cleanEnv({ TEMPORAL_ADDRESS: inject('temporalAddress') }));
    let listed = '';
    for (let i = 0; i < 50 && !listed.includes(handle.workflowId); i++) {
      listed = (await cli('list', '--status', 'held')).stdout;
      if (!listed.includes(handle.workflowId)) await sleep(200);
    }
    expect(listed).toMatch(new RegExp(`${handle.workflowId}\\s+RUNNING\\s+Held`));
    const released = await cli('release', handle.workflowId, '--reason', 'ship it');
    expect(released.code).toBe(0);
    expect(released.stdout).toContain('released: the report is written from what finished');
    expect(((await handle.result()) as RunResult).status).toBe('Failed');
  });
});
