// The execute phase against a real Temporal server: order, parallelism, isolation, failFast.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskRecord } from '../src/run/types';
import { defaultHandler, sleep, type Handler } from './support/fakeAnthropic';
import { planOf, startTestEnv, type TestEnv } from './support/testEnv';

let env: TestEnv;
/** Per-task behaviour for the current test; tasks not named answer at once. */
let script: Record<string, { delayMs?: number; fail?: number }> = {};

const handler: Handler = async (req) => {
  const step = req.taskId ? script[req.taskId] : undefined;
  if (step?.delayMs) await sleep(step.delayMs);
  if (step?.fail) return { status: step.fail, errorType: 'invalid_request_error', message: `${req.taskId} is broken` };
  return defaultHandler(req);
};

beforeAll(async () => {
  env = await startTestEnv(handler);
});
afterAll(async () => env?.close());

const byId = (tasks: TaskRecord[]) => Object.fromEntries(tasks.map((t) => [t.id, t]));

describe('orchestrate', () => {
  it('runs a diamond in dependency order and hands each task its dependencies\' outputs', async () => {
    script = {};
    const result = await env.run({ plan: planOf({ A: [], B: ['A'], C: ['A'], D: ['B', 'C'] }) });
    const t = byId(result.tasks);
    expect(result.status).toBe('Completed');
    expect(Object.values(t).map((x) => x.status)).toEqual(['Completed', 'Completed', 'Completed', 'Completed']);
    expect(t.B!.startedAt!).toBeGreaterThanOrEqual(t.A!.finishedAt!);
    expect(t.C!.startedAt!).toBeGreaterThanOrEqual(t.A!.finishedAt!);
    expect(t.D!.startedAt!).toBeGreaterThanOrEqual(Math.max(t.B!.finishedAt!, t.C!.finishedAt!));
    const dPrompt = env.llm.callsFor('D')[0]!.prompt;
    expect(dPrompt).toContain('### B · Task B\noutput of B');
    expect(dPrompt).toContain('### C · Task C\noutput of C');
    expect(env.llm.callsFor('A')[0]!.prompt).not.toContain('Results of the tasks');
    expect(t.D!.output).toBe('output of D');
    expect(result.report).toContain('## Task status');
    expect(result.report).toMatch(/\| D \| Task D \| Completed \| 1 \|/);
  });

  it('overlaps four independent one-second tasks', async () => {
    script = { P1: { delayMs: 1000 }, P2: { delayMs: 1000 }, P3: { delayMs: 1000 }, P4: { delayMs: 1000 } };
    const result = await env.run({ plan: planOf({ P1: [], P2: [], P3: [], P4: [] }), options: { maxParallel: 4 } });
    expect(result.stats.completed).toBe(4);
    // Serial would be the sum of the four durations; overlapping makes the makespan a fraction of it.
    expect(result.stats.makespanMs / result.stats.serialMs).toBeLessThan(0.5);
    expect(result.stats.speedup).toBeGreaterThan(2);
  });

  it('respects maxParallel', async () => {
    script = { Q1: { delayMs: 400 }, Q2: { delayMs: 400 }, Q3: { delayMs: 400 } };
    const result = await env.run({ plan: planOf({ Q1: [], Q2: [], Q3: [] }), options: { maxParallel: 1 } });
    const [q1, q2, q3] = result.tasks;
    expect(q2!.startedAt!).toBeGreaterThanOrEqual(q1!.finishedAt!);
    expect(q3!.startedAt!).toBeGreaterThanOrEqual(q2!.finishedAt!);
  });

  it('starts a task as soon as its own dependencies finish, not when its layer does', async () => {
    // SLOW and FAST share a layer; NEXT depends only on FAST and must not wait for SLOW.
    script = { SLOW: { delayMs: 2500 } };
    const result = await env.run({ plan: planOf({ SLOW: [], FAST: [], NEXT: ['FAST'] }) });
    const t = byId(result.tasks);
    expect(t.NEXT!.readyAt!).toBeLessThan(t.SLOW!.finishedAt!);
    expect(t.NEXT!.finishedAt!).toBeLessThan(t.SLOW!.finishedAt!);
  });

  it('isolates a failed task: its dependents are skipped with the reason, other branches go on', async () => {
    script = { BAD: { fail: 400 } };
    const result = await env.run({ plan: planOf({ ROOT: [], BAD: ['ROOT'], CHILD: ['BAD'], GRANDCHILD: ['CHILD'], OTHER: ['ROOT'] }) });
    const t = byId(result.tasks);
    expect(result.status).toBe('Failed');
    expect(t.BAD!.status).toBe('Failed');
    expect(t.BAD!.error).toContain('BAD is broken');
    expect(t.CHILD).toMatchObject({ status: 'Skipped', reason: 'dependency BAD failed' });
    expect(t.GRANDCHILD).toMatchObject({ status: 'Skipped', reason: 'dependency BAD failed' });
    expect(t.OTHER!.status).toBe('Completed');
    expect(env.llm.callsFor('CHILD')).toHaveLength(0);
    expect(result.stats).toMatchObject({ completed: 2, failed: 1, skipped: 2 });
    expect(result.report).toContain('## Failed and skipped tasks');
    expect(result.report).toContain('**CHILD · Task CHILD** skipped: dependency BAD failed');
  });

  it('failFast cancels running tasks and skips the rest', async () => {
    script = { F_BAD: { delayMs: 300, fail: 400 }, F_LONG: { delayMs: 20_000 } };
    const started = Date.now();
    const result = await env.run({ plan: planOf({ F_BAD: [], F_LONG: [], F_AFTER: ['F_LONG'], F_LATER: ['F_BAD'] }), options: { failFast: true } });
    const t = byId(result.tasks);
    expect(t.F_BAD!.status).toBe('Failed');
    expect(t.F_LONG).toMatchObject({ status: 'Cancelled', reason: 'failFast: F_BAD failed' });
    expect(t.F_AFTER).toMatchObject({ status: 'Skipped', reason: 'failFast: F_BAD failed' });
    expect(t.F_LATER!.status).toBe('Skipped');
    expect(Date.now() - started).toBeLessThan(15_000); // did not wait for F_LONG's 20 s
  });
});
