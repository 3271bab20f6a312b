// Rerun without paying twice: a new run of the same plan takes the outputs of the earlier run's
// unchanged tasks (status Reused, 0 tokens, no call to the LLM) and runs the rest; `fromTasks`
// forces tasks and their dependents to run again; a patched task runs again with whatever its new
// output changes downstream; the opt-in cross-run cache finds outputs of any earlier run by key.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunResult } from '../src/run/types';
import { defaultHandler, type Handler } from './support/fakeAnthropic';
import { planOf, startTestEnv, type TestEnv } from './support/testEnv';

let env: TestEnv;
let handler: Handler = defaultHandler;
beforeAll(async () => {
  env = await startTestEnv((req) => handler(req));
});
afterAll(async () => env?.close());

/** An answer that depends on what was asked: a changed prompt gives a changed output. */
const echo: Handler = (req) => (req.kind === 'task' ? { text: `output of ${req.taskId} for "${/## Your task: [^\n]*\n([^\n]*)/.exec(req.prompt)?.[1] ?? ''}"`, usage: { input: 100, output: 20 } } : defaultHandler(req));

const diamond = () => planOf({ A: [], B: [], C: ['A'], D: ['B'], E: ['C', 'D'] });
const calls = (ids: string[]) => Object.fromEntries(ids.map((id) => [id, env.llm.callsFor(id).length]));

describe('rerun', () => {
  it('reuses the 4 completed tasks of a failed run with 0 tokens and runs only the failed one, and the report says so', async () => {
    let failE = true;
    handler = (req) => (req.kind === 'task' && req.taskId === 'E' && failE ? { status: 400, errorType: 'invalid_request_error', message: 'bad E' } : echo(req));
    const firstHandle = await env.start({ plan: diamond(), options: { aggregate: 'plain' } });
    const first = await env.result(firstHandle);
    expect(first.status).toBe('Failed');
    expect(first.tasks.map((t) => t.status)).toEqual(['Completed', 'Completed', 'Completed', 'Completed', 'Failed']);
    const before = calls(['A', 'B', 'C', 'D', 'E']);

    failE = false;
    const second = await env.run({ plan: diamond(), options: { aggregate: 'plain' }, reuseFrom: firstHandle.workflowId });
    expect(second.status).toBe('Completed');
    expect(second.reusedFrom).toBe(firstHandle.workflowId);
    expect(second.tasks.map((t) => [t.id, t.status, t.attempts])).toEqual([['A', 'Reused', 0], ['B', 'Reused', 0], ['C', 'Reused', 0], ['D', 'Reused', 0], ['E', 'Completed', 1]]);
    // No call for the reused tasks; one for E.
    const after = calls(['A', 'B', 'C', 'D', 'E']);
    expect(after).toEqual({ ...before, E: before.E! + 1 });
    // 0 tokens for them: the run's usage is E's alone.
    expect(second.tasks.filter((t) => t.status === 'Reused').every((t) => t.usage === undefined)).toBe(true);
    expect(second.usage).toMatchObject({ inputTokens: 100, outputTokens: 20 });
    // E got the reused outputs, read from the store, as its inputs.
    expect(env.llm.callsFor('E').at(-1)!.prompt).toContain('output of C for "Do C."');
    expect(second.tasks[0]!.output).toBe('output of A for "Do A."');
    expect(second.stats).toMatchObject({ completed: 1, reused: 4 });
    expect(second.report).toContain(`## Reused from earlier runs\n- A, B, C, D: the outputs of run ${firstHandle.workflowId} (not run again; 0 tokens)`);
    expect(second.report).toMatch(/\| A \| Task A \| Reused \| 0 \|/);
  });

  it('runs again the tasks named by fromTasks and everything downstream of them', async () => {
    handler = echo;
    const firstHandle = await env.start({ plan: diamond(), options: { aggregate: 'none' } });
    expect(((await firstHandle.result()) as RunResult).status).toBe('Completed');
    const second = await env.run({ plan: diamond(), options: { aggregate: 'none' }, reuseFrom: firstHandle.workflowId, fromTasks: ['B'] });
    expect(second.tasks.map((t) => [t.id, t.status])).toEqual([['A', 'Reused'], ['B', 'Completed'], ['C', 'Reused'], ['D', 'Completed'], ['E', 'Completed']]);
  });

  it('a patched task runs again, and so does what its changed output feeds; the rest is reused', async () => {
    handler = echo;
    const firstHandle = await env.start({ plan: diamond(), options: { aggregate: 'none' } });
    await firstHandle.result();
    const patched = diamond();
    patched.tasks[2]!.prompt = 'Do C, but in more depth.';
    const second = await env.run({ plan: patched, options: { aggregate: 'none' }, reuseFrom: firstHandle.workflowId });
    expect(second.tasks.map((t) => [t.id, t.status])).toEqual([['A', 'Reused'], ['B', 'Reused'], ['C', 'Completed'], ['D', 'Reused'], ['E', 'Completed']]);
    expect(second.tasks[2]!.output).toBe('output of C for "Do C, but in more depth."');
  });

  it('works from the temporal CLI: reuseFrom and fromTasks are input fields', async () => {
    handler = echo;
    const firstHandle = await env.start({ plan: diamond(), options: { aggregate: 'none' } });
    await firstHandle.result();
    const workflowId = `rerun-by-temporal-cli-${randomUUID()}`;
    const input = { plan: diamond(), options: { aggregate: 'none' }, reuseFrom: firstHandle.workflowId, fromTasks: ['D'] };
    await promisify(execFile)(inject('temporalCli'), ['workflow', 'start', '--address', inject('temporalAddress'), '--type', 'orchestrate', '--task-queue', env.taskQueue, '--workflow-id', workflowId, '--input', JSON.stringify(input)]);
    const result = await env.result(env.client.workflow.getHandle(workflowId));
    expect(result.tasks.map((t) => [t.id, t.status])).toEqual([['A', 'Reused'], ['B', 'Reused'], ['C', 'Reused'], ['D', 'Completed'], ['E', 'Completed']]);
  });

  it('refuses, naming the problem, a run that does not exist and a task that is not in the plan', async () => {
    const missing = env.start({ plan: diamond(), reuseFrom: 'no-such-run' });
    await expect((await missing).result()).rejects.toMatchObject({ cause: { message: 'cannot reuse outputs of no-such-run: there is no run no-such-run in namespace default' } });
    const badTask = env.start({ plan: diamond(), reuseFrom: 'no-such-run', fromTasks: ['Z'] });
    await expect((await badTask).result()).rejects.toMatchObject({ cause: { message: 'fromTasks: no task Z in the plan' } });
  });
});

describe('cross-run cache (reuse: true)', () => {
  it('takes an output from any earlier run with the same key, never for cache: false, and only when asked', async () => {
    handler = echo;
    const plan = () => planOf({ KEEP: [], FRESH: [], AFTER: ['KEEP'] }, { FRESH: { cache: false } });
    const firstHandle = await env.start({ plan: plan(), options: { aggregate: 'none' } });
    await firstHandle.result();
    const before = calls(['KEEP', 'FRESH', 'AFTER']);

    const cached = await env.run({ plan: plan(), options: { aggregate: 'none', reuse: true } });
    expect(cached.tasks.map((t) => [t.id, t.status, t.reusedFrom])).toEqual([['KEEP', 'Reused', firstHandle.workflowId], ['FRESH', 'Completed', undefined], ['AFTER', 'Reused', firstHandle.workflowId]]);
    expect(calls(['KEEP', 'FRESH', 'AFTER'])).toEqual({ ...before, FRESH: before.FRESH! + 1 });

    const uncached = await env.run({ plan: plan(), options: { aggregate: 'none' } });
    expect(uncached.tasks.map((t) => t.status)).toEqual(['Completed', 'Completed', 'Completed']);
  });
});
