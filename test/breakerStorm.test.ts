// The worker's circuit breaker against a 529 storm at the test LLM server: after five provider
// failures in a row no call goes out but one probe per cool-down; the tasks wait, showing why;
// when the storm ends the next probe closes the breaker and every task completes on its first
// attempt. Calls are counted where they land: at the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult, TaskRecord } from '../src/run/types';
import { statusQuery } from '../src/workflows/messages';
import { defaultHandler, sleep } from './support/fakeAnthropic';
import { planOf, startTestEnv, type TestEnv } from './support/testEnv';

let env: TestEnv;
let storm = false;
const log: Array<{ at: number; line: string }> = [];

beforeAll(async () => {
  env = await startTestEnv(
    (req) => (req.kind === 'task' && storm ? { status: 529, errorType: 'overloaded_error', message: 'Overloaded' } : defaultHandler(req)),
    { breaker: { failures: 5, cooldownMs: 1000, maxCooldownMs: 4000 }, log: (line) => log.push({ at: Date.now(), line }) },
  );
});
afterAll(async () => env?.close());

describe('circuit breaker', () => {
  it('opens in a 529 storm, lets one probe through per cool-down, and closes when the provider recovers', async () => {
    storm = true;
    const ids = ['B1', 'B2', 'B3', 'B4', 'B5', 'B6'];
    const handle = await env.start({ plan: planOf(Object.fromEntries(ids.map((id) => [id, []]))), options: { maxParallel: 6, retryInitialInterval: '100ms', aggregate: 'plain' } });

    // The live table says why the tasks wait.
    let waiting: TaskRecord | undefined;
    for (let i = 0; i < 100 && !waiting; i++) {
      await sleep(50);
      waiting = (await handle.query(statusQuery)).tasks.find((t) => t.status === 'Retrying' && /^circuit open for anthropic until \d\d:\d\d:\d\d$/.test(t.error ?? ''));
    }
    expect(waiting, 'a task shows "circuit open for anthropic until HH:MM:SS"').toBeDefined();
    const opened = log.find((l) => / open: /.test(l.line))!;
    expect(opened.line).toBe('dagent: circuit breaker for anthropic open: 5 provider failures in a row; no calls for 1 s');
    const callsAt = (from: number, to = Infinity) => env.llm.requests.filter((r) => r.kind === 'task' && r.receivedAt >= from && r.receivedAt < to).length;
    // Before it opened: the five failures, and at most one more call per task that was already on its way.
    expect(callsAt(0, opened.at)).toBeGreaterThanOrEqual(5);
    expect(callsAt(0, opened.at)).toBeLessThanOrEqual(5 + ids.length);

    // The storm goes on for 2.5 s: a probe after 1 s fails, the breaker opens for 2 s.
    await sleep(2500 - (Date.now() - opened.at));
    const stormEnd = Date.now();
    storm = false;
    const probes = log.filter((l) => l.at > opened.at && l.at < stormEnd && / half-open: /.test(l.line)).length;
    expect(probes).toBe(1);
    // While open, nothing but the probe reached the provider (calls already on their way when it opened land within 500 ms).
    expect(callsAt(opened.at + 500, stormEnd)).toBe(probes);

    const result = (await handle.result()) as RunResult;
    expect(result.status).toBe('Completed');
    // Provider trouble used up no retries, and after recovery each task made exactly one call.
    expect(result.tasks.map((t) => [t.id, t.status, t.attempts])).toEqual(ids.map((id) => [id, 'Completed', 1]));
    expect(callsAt(stormEnd)).toBe(ids.length);
    expect(log.map((l) => / (open|half-open|closed): /.exec(l.line)![1])).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });
});
