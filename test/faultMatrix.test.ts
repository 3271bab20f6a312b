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
  it.each<[string, Reply]>([
    ['a 500', { status: 500, message: 'internal error' }],
    ['a 529 overload', { status: 529, errorType: 'overloaded_error', message: 'Overloaded' }],
    ['a connection reset', { reset: true }],
    ['a stream cut in the middle', { cutStream: true, text: 'x'.repeat(20_000) }],
    ['an empty answer', { text: '' }],
  ])('%s', async (_name, fault) => {
    handler = firstCallFails(fault);
    const id = `F${Math.random().toString(36).slice(2, 8)}`;
    const result = (await env.run({ plan: planOf({ [id]: [] }), options: fast })) as RunResult;
    expect(result.tasks[0]).toMatchObject({ status: 'Completed', attempts: 2, output: `output of ${id}` });
    expect(env.llm.callsFor(id)).toHaveLength(2);
  });

  it('a hang beyond the task timeout', async () => {
    handler = firstCallFails({ hang: true });
    const result = (await env.run({ plan: { tasks: [{ id: 'HANG', title: 'Hang', prompt: 'p', timeout: '2s' }] }, options: fast })) as RunResult;
    expect(result.tasks[0]).toMatchObject({ status: 'Completed', attempts: 2 });
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
  it('with 30% of calls failing, 20 runs of a 10-task plan all complete', async () => {
    // A seeded generator: the same faults every run of this test.
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const faults: Reply[] = [{ status: 500 }, { status: 529, errorType: 'overloaded_error' }, { status: 429, headers: { 'retry-after-ms': '50' } }, { reset: true }, { text: '' }];
    let injected = 0;
    handler = (req) => {
      if (req.kind === 'task' && random() < 0.3) {
        injected++;
        return faults[injected % faults.length]!;
      }
      return defaultHandler(req);
    };
    const plan = planOf({ S1: [], S2: [], S3: ['S1'], S4: ['S1', 'S2'], S5: ['S3'], S6: ['S4'], S7: [], S8: ['S7'], S9: ['S5', 'S6'], S10: ['S9', 'S8'] }, Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`S${i + 1}`, { retries: 9 }])));
    const runs = await Promise.all(Array.from({ length: 20 }, () => env.run({ plan, options: { retryInitialInterval: '50ms', maxParallel: 4 } }) as Promise<RunResult>));
    expect(runs.map((r) => r.status)).toEqual(Array(20).fill('Completed'));
    const taskCalls = env.llm.requests.filter((r) => r.kind === 'task' && /^S\d+$/.test(r.taskId!)).length;
    expect(injected / taskCalls).toBeGreaterThan(0.2);
    expect(taskCalls).toBe(200 + injected);
    console.info(`reliability: soak: 20 runs, 200 tasks, ${taskCalls} calls, ${injected} faults injected (${((100 * injected) / taskCalls).toFixed(1)}%), 200 tasks completed, 0 lost`);
  });
});
