// The operator's controls on live runs, against the real server: approvals, patches, retry,
// skip, cancel; refused updates leave the run exactly as it was; request ids are idempotent.
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult, RunStatusView, TaskRecord } from '../src/run/types';
import {
  approveUpdate,
  cancelTaskUpdate,
  patchPlanUpdate,
  planQuery,
  rejectUpdate,
  retryTaskUpdate,
  skipTaskUpdate,
  statusQuery,
} from '../src/workflows/messages';
import { defaultHandler, sleep, type Handler } from './support/fakeAnthropic';
import { planOf, startTestEnv, type TestEnv } from './support/testEnv';

let env: TestEnv;
let handler: Handler = defaultHandler;
let requestCounter = 0;
const rid = () => `req-${++requestCounter}`;

beforeAll(async () => {
  env = await startTestEnv((req) => handler(req));
});
afterAll(async () => env?.close());

const byId = (tasks: TaskRecord[]) => Object.fromEntries(tasks.map((t) => [t.id, t]));
async function until(handle: WorkflowHandle, ok: (v: RunStatusView) => boolean): Promise<RunStatusView> {
  for (let i = 0; i < 200; i++) {
    const view = await handle.query(statusQuery);
    if (ok(view)) return view;
    await sleep(100);
  }
  throw new Error(`condition not reached; last status: ${JSON.stringify(await handle.query(statusQuery))}`);
}
async function refused(promise: Promise<unknown>): Promise<string> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  return (error as WorkflowUpdateFailedError).cause?.message ?? '';
}
const slowFor = (ids: string[], ms: number): Handler => async (req) => {
  if (req.taskId && ids.includes(req.taskId)) await sleep(ms);
  return defaultHandler(req);
};

describe('plan approval', () => {
  it('waits in AwaitingApproval; approve runs the plan', async () => {
    handler = defaultHandler;
    const handle = await env.start({ plan: planOf({ PA: [], PB: ['PA'] }), options: { approval: 'plan' } });
    const waiting = await until(handle, (v) => v.phase === 'AwaitingApproval');
    expect(waiting.tasks.map((t) => t.status)).toEqual(['Pending', 'Pending']);
    expect(env.llm.callsFor('PA')).toHaveLength(0);
    await handle.executeUpdate(approveUpdate, { args: [{ requestId: rid(), reason: 'looks good' }] });
    const result = (await handle.result()) as RunResult;
    expect(result.status).toBe('Completed');
    expect(result.audit).toMatchObject([{ action: 'approve', reason: 'looks good', effect: 'plan approved' }]);
  });

  it('reject ends the run Rejected and nothing runs', async () => {
    const handle = await env.start({ plan: planOf({ RA: [] }), options: { approval: 'plan' } });
    await until(handle, (v) => v.phase === 'AwaitingApproval');
    await handle.executeUpdate(rejectUpdate, { args: [{ requestId: rid(), reason: 'too broad' }] });
    const result = (await handle.result()) as RunResult;
    expect(result.status).toBe('Rejected');
    expect(result.tasks[0]).toMatchObject({ status: 'Skipped', reason: 'plan rejected: too broad' });
    expect(result.report).toContain('The plan was rejected (too broad); no task ran.');
    expect(env.llm.callsFor('RA')).toHaveLength(0);
  });

  it('applies the declared default action when the approval times out', async () => {
    const rejected = (await (await env.start({ plan: planOf({ TO1: [] }), options: { approval: 'plan', approvalTimeout: '1s' } })).result()) as RunResult;
    expect(rejected.status).toBe('Rejected');
    expect(rejected.audit).toMatchObject([{ requestId: 'timeout:plan', action: 'reject', effect: 'plan rejected by default' }]);
    const approved = (await (await env.start({ plan: planOf({ TO2: [] }), options: { approval: 'plan', approvalTimeout: '1s', approvalTimeoutAction: 'approve' } })).result()) as RunResult;
    expect(approved.status).toBe('Completed');
  });

  it('lets the plan be edited before approval, and runs the edited plan', async () => {
    const handle = await env.start({ plan: planOf({ EA: [], EB: ['EA'] }), options: { approval: 'plan' } });
    await until(handle, (v) => v.phase === 'AwaitingApproval');
    await handle.executeUpdate(patchPlanUpdate, {
      args: [{ requestId: rid(), patch: { update: [{ id: 'EB', prompt: 'Do EB, but better.' }], add: [{ id: 'EC', title: 'Extra', prompt: 'Extra work', dependsOn: ['EA'] }] } }],
    });
    expect((await handle.query(planQuery)).tasks.map((t) => t.id)).toEqual(['EA', 'EB', 'EC']);
    await handle.executeUpdate(approveUpdate, { args: [{ requestId: rid() }] });
    const result = (await handle.result()) as RunResult;
    expect(result.tasks.map((t) => [t.id, t.status])).toEqual([['EA', 'Completed'], ['EB', 'Completed'], ['EC', 'Completed']]);
    expect(env.llm.callsFor('EB')[0]!.prompt).toContain('Do EB, but better.');
  });
});

describe('refused updates leave the run exactly as it was', () => {
  it('refuses a cycle, a started task, an unknown id and a malformed payload', async () => {
    handler = slowFor(['RUN1'], 3000);
    const handle = await env.start({ plan: planOf({ RUN1: [], LATER: ['RUN1'] }) });
    await until(handle, (v) => v.tasks[0]!.status === 'Running');
    const before = await handle.query(statusQuery);
    const planBefore = await handle.query(planQuery);

    expect(await refused(handle.executeUpdate(patchPlanUpdate, { args: [{ requestId: rid(), patch: { update: [{ id: 'LATER', dependsOn: ['RUN1', 'NEW'] }], add: [{ id: 'NEW', prompt: 'n', dependsOn: ['LATER'] }] } }] }))).toContain(
      'cycle: LATER → NEW → LATER',
    );
    expect(await refused(handle.executeUpdate(patchPlanUpdate, { args: [{ requestId: rid(), patch: { update: [{ id: 'RUN1', prompt: 'changed' }] } }] }))).toBe('cannot change task RUN1: it is Running');
    expect(await refused(handle.executeUpdate(patchPlanUpdate, { args: [{ requestId: rid(), patch: { remove: ['RUN1'], update: [{ id: 'LATER', dependsOn: [] }] } }] }))).toBe('cannot remove task RUN1: it is Running');
    expect(await refused(handle.executeUpdate(skipTaskUpdate, { args: [{ requestId: rid(), taskId: 'NOPE' }] }))).toBe('cannot skip NOPE: no such task');
    expect(await refused(handle.executeUpdate(retryTaskUpdate, { args: [{ requestId: rid(), taskId: 'RUN1' }] }))).toBe('cannot retry RUN1: it is Running');
    expect(await refused(handle.executeUpdate(approveUpdate, { args: [{ requestId: rid() }] }))).toContain('cannot approve the plan: the run is Running');
    expect(await refused(handle.executeUpdate(skipTaskUpdate, { args: [{ taskId: 'LATER' } as never] }))).toContain('invalid skip request: requestId:');
    expect(await refused(handle.executeUpdate(patchPlanUpdate, { args: [{ requestId: rid(), patch: { add: [{ id: 'BIG', prompt: 'x'.repeat(1_100_000) }] } }] }))).toContain('a patch may be at most 1000000 bytes');

    expect(await handle.query(statusQuery)).toEqual(before);
    expect(await handle.query(planQuery)).toEqual(planBefore);
    expect((await handle.result()).status).toBe('Completed');
  });
});

describe('operator actions on a live run', () => {
  it('approvals in parallel branches: other branches go on; reject skips the task and its dependents', async () => {
    handler = slowFor(['FREE'], 1500);
    const plan = planOf({ FREE: [], GATED: [], AFTER: ['GATED'], NO: [], NO_CHILD: ['NO'] }, { GATED: { requiresApproval: true }, NO: { requiresApproval: true } });
    const handle = await env.start({ plan });
    const waiting = await until(handle, (v) => byId(v.tasks).GATED!.status === 'AwaitingApproval' && byId(v.tasks).FREE!.status === 'Running');
    expect(byId(waiting.tasks).NO!.status).toBe('AwaitingApproval');
    await handle.executeUpdate(approveUpdate, { args: [{ requestId: rid(), taskId: 'GATED' }] });
    await handle.executeUpdate(rejectUpdate, { args: [{ requestId: rid(), taskId: 'NO', reason: 'not needed' }] });
    const t = byId(((await handle.result()) as RunResult).tasks);
    expect([t.FREE!.status, t.GATED!.status, t.AFTER!.status]).toEqual(['Completed', 'Completed', 'Completed']);
    expect(t.NO).toMatchObject({ status: 'Skipped', reason: 'rejected: not needed' });
    expect(t.NO_CHILD).toMatchObject({ status: 'Skipped', reason: 'dependency NO skipped' });
    expect(env.llm.callsFor('NO')).toHaveLength(0);
  });

  it('retryTask runs a failed task again with a new prompt and brings its skipped dependents back', async () => {
    handler = async (req) => {
      if (req.taskId === 'KEEP') await sleep(4000);
      if (req.taskId === 'FLAKY' && !req.prompt.includes('second try')) return { status: 400, message: 'bad prompt' };
      return defaultHandler(req);
    };
    const handle = await env.start({ plan: planOf({ KEEP: [], FLAKY: [], DEP: ['FLAKY'], DEP2: ['DEP'] }) });
    const failed = await until(handle, (v) => byId(v.tasks).FLAKY!.status === 'Failed');
    expect(byId(failed.tasks).DEP2).toMatchObject({ status: 'Skipped', reason: 'dependency FLAKY failed' });
    const answer = await handle.executeUpdate(retryTaskUpdate, { args: [{ requestId: rid(), taskId: 'FLAKY', prompt: 'Do FLAKY, second try.' }] });
    expect(answer.audit.at(-1)).toMatchObject({ action: 'retry', effect: 'FLAKY, DEP, DEP2 back to Pending' });
    const t = byId(((await handle.result()) as RunResult).tasks);
    expect([t.FLAKY!.status, t.DEP!.status, t.DEP2!.status]).toEqual(['Completed', 'Completed', 'Completed']);
    expect(t.FLAKY!.attempts).toBe(2);
  });

  it('cancelTask stops a running task; its dependents are skipped, the rest goes on', async () => {
    handler = slowFor(['LONG'], 20_000);
    const handle = await env.start({ plan: planOf({ LONG: [], BEHIND: ['LONG'], OK: [] }) });
    await until(handle, (v) => byId(v.tasks).LONG!.status === 'Running');
    await handle.executeUpdate(cancelTaskUpdate, { args: [{ requestId: rid(), taskId: 'LONG', reason: 'taking too long' }] });
    const result = (await handle.result()) as RunResult;
    const t = byId(result.tasks);
    expect(t.LONG).toMatchObject({ status: 'Cancelled', reason: 'cancelled by operator: taking too long' });
    expect(t.BEHIND).toMatchObject({ status: 'Skipped', reason: 'dependency LONG cancelled' });
    expect(t.OK!.status).toBe('Completed');
  });

  it('cancelling the whole run cancels running tasks and still writes the report from what finished', async () => {
    handler = slowFor(['STUCK'], 20_000);
    const handle = await env.start({ plan: planOf({ DONE: [], STUCK: ['DONE'], NEVER: ['STUCK'] }) });
    await until(handle, (v) => byId(v.tasks).STUCK!.status === 'Running');
    await handle.cancel();
    const result = (await handle.result()) as RunResult;
    expect(result.status).toBe('Cancelled');
    expect(byId(result.tasks).DONE!.status).toBe('Completed');
    expect(byId(result.tasks).STUCK).toMatchObject({ status: 'Cancelled', reason: 'run cancelled' });
    expect(byId(result.tasks).NEVER).toMatchObject({ status: 'Skipped', reason: 'run cancelled' });
    expect(result.report).toContain('| DONE | Task DONE | Completed | 1 |');
  });

  it('a repeated request id has no second effect and gets the first answer', async () => {
    handler = slowFor(['HOLD'], 2000);
    const handle = await env.start({ plan: planOf({ HOLD: [], S1: ['HOLD'], S2: ['HOLD'] }) });
    await until(handle, (v) => byId(v.tasks).HOLD!.status === 'Running');
    const request = { requestId: 'same-id', taskId: 'S1' };
    const first = await handle.executeUpdate(skipTaskUpdate, { args: [request] });
    const second = await handle.executeUpdate(skipTaskUpdate, { args: [request] });
    expect(second).toEqual(first);
    // A different move under the same id is refused, and does nothing.
    await expect(handle.executeUpdate(skipTaskUpdate, { args: [{ requestId: 'same-id', taskId: 'S2' }] })).rejects.toThrow(WorkflowUpdateFailedError);
    const result = (await handle.result()) as RunResult;
    expect(result.audit.filter((a) => a.requestId === 'same-id')).toHaveLength(1);
    expect(byId(result.tasks).S2!.status).toBe('Completed');
  });
});
