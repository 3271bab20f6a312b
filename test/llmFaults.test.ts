// How LLM API errors reach a task: provider trouble is waited out inside the attempt without
// using up retries; a request the API refuses fails at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusQuery } from '../src/workflows/messages';
import { defaultHandler, sleep, type Handler } from './support/fakeAnthropic';
import { planOf, startTestEnv, TEST_API_KEY, type TestEnv } from './support/testEnv';
import { historyText } from './support/historyText';

let env: TestEnv;
let handler: Handler = defaultHandler;

beforeAll(async () => {
  env = await startTestEnv((req) => handler(req));
});
afterAll(async () => env?.close());

const fast = { retryInitialInterval: '200ms' } as const;

describe('LLM errors', () => {
  it('retries a 529 without using up a retry, showing Retrying in the live table meanwhile', async () => {
    let calls = 0;
    handler = (req) => (req.kind === 'task' && ++calls === 1 ? { status: 529, errorType: 'overloaded_error', message: 'Overloaded' } : defaultHandler(req));
    const handle = await env.start({ plan: planOf({ R: [] }), options: { retryInitialInterval: '3s' } });
    let seen;
    for (let i = 0; i < 40 && seen?.status !== 'Retrying'; i++) {
      await sleep(100);
      seen = (await handle.query(statusQuery)).tasks[0];
    }
    expect(seen).toMatchObject({ status: 'Retrying', error: 'Anthropic API 529 overloaded_error: Overloaded' });
    const result = await env.result(handle);
    expect(result.tasks[0]).toMatchObject({ status: 'Completed', attempts: 1, output: 'output of R' });
    expect(env.llm.callsFor('R')).toHaveLength(2);
  });

  it('fails after exactly one attempt on 401, with the API message', async () => {
    handler = (req) => (req.kind === 'task' ? { status: 401, errorType: 'authentication_error', message: 'invalid x-api-key' } : defaultHandler(req));
    const result = await env.run({ plan: planOf({ AUTH: [] }), options: fast });
    expect(result.tasks[0]).toMatchObject({ status: 'Failed', attempts: 1, error: 'Anthropic API 401 authentication_error: invalid x-api-key' });
    expect(env.llm.callsFor('AUTH')).toHaveLength(1);
  });

  it.each([
    [400, 'invalid_request_error', 'prompt is too long: 250000 tokens > 200000 maximum'],
    [403, 'permission_error', 'not allowed'],
    [404, 'not_found_error', 'model: claude-nope'],
  ])('does not retry %i', async (status, errorType, message) => {
    const id = `E${status}`;
    handler = (req) => (req.kind === 'task' ? { status, errorType, message } : defaultHandler(req));
    const result = await env.run({ plan: planOf({ [id]: [] }), options: fast });
    expect(result.tasks[0]).toMatchObject({ status: 'Failed', attempts: 1, error: `Anthropic API ${status} ${errorType}: ${message}` });
    expect(env.llm.callsFor(id)).toHaveLength(1);
  });

  it('honours retry-after on 429', async () => {
    const at: number[] = [];
    handler = (req) => {
      if (req.kind !== 'task') return defaultHandler(req);
      at.push(req.receivedAt);
      return at.length === 1 ? { status: 429, errorType: 'rate_limit_error', message: 'slow down', headers: { 'retry-after': '2' } } : defaultHandler(req);
    };
    // The policy alone would retry after 100 ms; the server asked for 2 s.
    const result = await env.run({ plan: planOf({ RL: [] }), options: { retryInitialInterval: '100ms' } });
    expect(result.tasks[0]).toMatchObject({ status: 'Completed', attempts: 1 });
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(1900);
  });

  it('rides out provider trouble beyond the task\'s retries (retries: 0, three 5xx in a row)', async () => {
    let calls = 0;
    handler = (req) => (req.kind === 'task' && ++calls <= 3 ? { status: calls === 2 ? 503 : 500, message: 'boom' } : defaultHandler(req));
    const result = await env.run({ plan: { tasks: [{ id: 'P0', title: 'Provider wobbles', prompt: 'p', retries: 0 }] }, options: fast });
    expect(result.tasks[0]).toMatchObject({ status: 'Completed', attempts: 1, output: 'output of P0' });
    expect(env.llm.callsFor('P0')).toHaveLength(4);
  });

  it('fails for good once provider trouble outlasts providerRetryFor, saying so, in one attempt', async () => {
    handler = (req) => (req.kind === 'task' ? { status: 500, message: 'boom' } : defaultHandler(req));
    const result = await env.run({ plan: { tasks: [{ id: 'S5', title: 'Always 500', prompt: 'p', retries: 3 }] }, options: { ...fast, providerRetryFor: '1s' } });
    expect(result.tasks[0]!.status).toBe('Failed');
    expect(result.tasks[0]!.attempts).toBe(1);
    expect(result.tasks[0]!.error).toMatch(/^Anthropic API 500 api_error: boom \(the provider has failed \d+ times over \d+ s; giving up after providerRetryFor 1 s\)$/);
    expect(env.llm.callsFor('S5').length).toBeGreaterThan(1);
  });

  it('counts a task\'s own failures (an answer cut mid-stream, an empty answer) against its retries', async () => {
    handler = (req) => (req.kind === 'task' ? { text: '' } : defaultHandler(req));
    const result = await env.run({ plan: { tasks: [{ id: 'OWN', title: 'Always empty', prompt: 'p', retries: 1 }] }, options: fast });
    expect(result.tasks[0]).toMatchObject({ status: 'Failed', attempts: 2 });
    expect(env.llm.callsFor('OWN')).toHaveLength(2);
  });

  it('sends the key from the worker\'s settings, and never puts it in history', async () => {
    handler = defaultHandler;
    const handle = await env.start({ plan: planOf({ K: [] }), options: fast });
    await handle.result();
    expect(env.llm.callsFor('K')[0]!.apiKey).toBe(TEST_API_KEY);
    const history = historyText(await handle.fetchHistory());
    expect(history).not.toContain(TEST_API_KEY);
  });
});
