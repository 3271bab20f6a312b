// The LLM fault matrix: every kind of failure the API or the network throws at a task, and a
// soak of 20 runs with 30% of calls failing. Faults come from the test LLM server, over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../src/run/types';
import { defaultHandler, type Handler, type Reply } from './support/fakeAnthropic';
import { planOf, startTestEnv, type TestEnv } from './support/testEnv';

let env: TestEnv;
let handler: Handler = defaultHandler;
beforeAll(async () => {
  env = await startTestEnv((req) => handler(req));
});
afterAll(async () => env?.close());

/** The first call of each task gets the fault; later calls answer normally. */
function firstCallFails(fault: Reply): Handler {
  const seen = new Set<string>();
  return (req) => {
    if (req.kind !== 'task' || seen.has(req.taskId!)) return defaultHandler(req);
    seen.add(req.taskId!);
    return fault;
  };
}

const fast = { retryInitialInterval: '100ms' } as const;

describe('transient faults are retried until the task completes', () => {
  // Provider trouble is retried inside the attempt (attempts stays 1); a broken answer is the
  // task's own failure and takes one of its retries (attempt 2).
  it.each<[string, Reply, number]>([
    ['a 500', { status: 500, message: 'internal error' }, 1],
    ['a 529 overload', { status: 529, errorType: 'overloaded_error', message: 'Overloaded' }, 1],
    ['a connection reset', { reset: true }, 1],
    ['a stream cut in the middle', { cutStream: true, text: 'x'.repeat(20_000) }, 2],
    ['an empty answer', { text: '' }, 2],
  ])('%s', async (_name, fault, attempts) => {
    handler = firstCallFails(fault);
    const id = `F${Math.random().toString(36).slice(2, 8)}`;
    const result = (await env.run({ plan: planOf({ [id]: [] }), options: fast })) as RunResult;
    expect(result.tasks[0]).toMatchObject({ status: 'Completed', attempts, output: `output of ${id}` });
    expect(env.llm.callsFor(id)).toHaveLength(2);
  });

  it('a hang beyond the task timeout', async () => {
    handler = firstCallFails({ hang: true });
    const result = (await env.run({ plan: { tasks: [{ id: 'HANG', title: 'Hang', prompt: 'p', timeout: '2s' }] }, options: fast })) as RunResult;
    // No first byte within the task's timeout is provider trouble: the call is sent again within the attempt.
    expect(result.tasks[0]).toMatchObject({ status: 'Completed', attempts: 1 });
    expect(env.llm.callsFor('HANG')).toHaveLength(2);
  });

  it('malformed tool input from the planner', async () => {
    let answers = 0;
    handler = (req) => {
      if (req.kind !== 'decompose') return defaultHandler(req);
      return ++answers === 1
        ? { toolRaw: { name: 'submit_plan', json: '{"tasks": [{"id": "T-01", "title": "x", "prompt": ' } }
        : { tool: { name: 'submit_plan', input: { tasks: [{ id: 'T-01', title: 'Fixed', prompt: 'Do it.' }] } } };
    };
    const result = (await env.run({ goal: 'Survive a malformed plan', options: { planCache: false } })) as RunResult;
    expect(result.status).toBe('Completed');
    expect(answers).toBe(2);
  });
});

describe('faults that retrying cannot fix', () => {
  it('a refusal fails the task after one attempt', async () => {
    handler = (req) => (req.kind === 'task' ? { text: 'I will not.', stopReason: 'refusal' } : defaultHandler(req));
    const result = (await env.run({ plan: planOf({ REFUSE: [] }), options: fast })) as RunResult;
    expect(result.tasks[0]).toMatchObject({ status: 'Failed', attempts: 1, error: 'the model refused to answer' });
  });

  it('a max_tokens stop keeps the output and says it was cut', async () => {
    handler = (req) => (req.kind === 'task' ? { text: 'a long answer that stops in the mid', stopReason: 'max_tokens' } : defaultHandler(req));
    const result = (await env.run({ plan: { tasks: [{ id: 'CUT', title: 'Cut', prompt: 'p', maxTokens: 16 }] } })) as RunResult;
    expect(result.tasks[0]).toMatchObject({ status: 'Completed', attempts: 1 });
    expect(result.tasks[0]!.output).toBe('a long answer that stops in the mid\n\n[output cut: the model reached maxTokens (16)]');
  });
});

describe('soak', () => {
  it('with 30% of calls hitting provider trouble, 20 runs of a 50-task plan all complete with default run settings, using no retries', async () => {
    // A worker of its own with 100 activity slots (20 runs × maxParallel 4 never wait for one) and
    // the default breaker (5 failures in a row) with a 500 ms cool-down: the few runs of five
    // faults in a row that 30% random faults bring then cost seconds, not minutes. The runs' own
    // settings are the defaults.
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const faults: Reply[] = [
      { status: 500 },
      { status: 529, errorType: 'overloaded_error' },
      { status: 429, errorType: 'rate_limit_error', headers: { 'retry-after-ms': '200' } },
      { status: 503 },
      { reset: true },
    ];
    let injected = 0;
    const breakerLog: string[] = [];
    const soak = await startTestEnv((req) => {
      if (req.kind === 'task' && random() < 0.3) return faults[injected++ % faults.length]!;
      return defaultHandler(req);
    }, { breaker: { failures: 5, cooldownMs: 500, maxCooldownMs: 4000 }, maxConcurrentActivities: 100, log: (line) => breakerLog.push(line) });
    try {
      // Five layers of ten: each task depends on two of the layer before.
      const layerBefore = (i: number, column: number) => `S${(Math.floor(i / 10) - 1) * 10 + column + 1}`;
      const deps = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`S${i + 1}`, i < 10 ? [] : [layerBefore(i, i % 10), layerBefore(i, (i + 3) % 10)]]));
      const plan = planOf(deps);
      const started = Date.now();
      const runs = await Promise.all(Array.from({ length: 20 }, () => soak.run({ plan, options: { aggregate: 'plain' } })));
      expect(runs.map((r) => r.status)).toEqual(Array(20).fill('Completed'));
      // Provider trouble used up no retries: every task completed on its first attempt.
      expect(runs.flatMap((r) => r.tasks.map((t) => t.attempts)).filter((a) => a !== 1)).toEqual([]);
      const taskCalls = soak.llm.requests.filter((r) => r.kind === 'task').length;
      expect(taskCalls).toBe(1000 + injected);
      expect(injected / taskCalls).toBeGreaterThan(0.2);
      console.info(`reliability: soak: 20 runs × 50 tasks, ${taskCalls} calls, ${injected} provider faults (${((100 * injected) / taskCalls).toFixed(1)}%), 1000 tasks completed on attempt 1, 0 lost, breaker opened ${breakerLog.filter((l) => / open: /.test(l)).length} times, ${((Date.now() - started) / 1000).toFixed(0)} s`);
    } finally {
      await soak.close();
    }
  }, 240_000);
});
