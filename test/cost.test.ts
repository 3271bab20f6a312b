// Cost control against the real server: usage with cache tokens and cost per task and in total,
// the budget stop, prompt caching of shared context, and the decomposition cache.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCost } from '../src/run/prices';
import type { RunResult, TaskRecord } from '../src/run/types';
import { defaultHandler, type Handler } from './support/fakeAnthropic';
import { planOf, startTestEnv, type TestEnv } from './support/testEnv';

let env: TestEnv;
let handler: Handler = defaultHandler;

beforeAll(async () => {
  env = await startTestEnv((req) => handler(req));
});
afterAll(async () => env?.close());

const byId = (tasks: TaskRecord[]) => Object.fromEntries(tasks.map((t) => [t.id, t]));

describe('usage and cost', () => {
  it('records tokens, cache tokens, model and an estimated cost per task and for the run', async () => {
    handler = (req) => (req.kind === 'task' ? { text: 'ok', usage: { input: 1000, output: 500, cacheRead: 2000, cacheWrite: 100 } } : defaultHandler(req));
    const result = await env.run({ plan: planOf({ C1: [], C2: [] }, { C1: { model: 'claude-sonnet-4-5' }, C2: { model: 'claude-haiku-4-5' } }) });
    const t = byId(result.tasks);
    // sonnet: (1000*3 + 500*15 + 2000*0.3 + 100*3.75) / 1e6
    expect(t.C1!.usage).toEqual({ inputTokens: 1000, outputTokens: 500, cacheReadTokens: 2000, cacheWriteTokens: 100, costUsd: 0.011475 });
    expect(t.C1!.model).toBe('claude-sonnet-4-5');
    // haiku: (1000*1 + 500*5 + 2000*0.1 + 100*1.25) / 1e6
    expect(t.C2!.costUsd).toBe(0.003825);
    // The aggregate ran on the worker's default model, which has no price: tokens only.
    expect(result.usage).toMatchObject({ inputTokens: 2010, outputTokens: 1020, cacheReadTokens: 4000, cacheWriteTokens: 200, costUsd: 0.0153 });
    expect(result.report).toContain('Usage: 2010 input and 1020 output tokens, cache read 4000, cache write 200; estimated cost $0.0153');
  });

  it('takes prices from the run\'s table, by exact name or longest prefix', () => {
    const prices = { 'my-model': { input: 10, output: 20 }, 'claude-sonnet-4': { input: 1, output: 1 } };
    expect(withCost({ inputTokens: 1e6, outputTokens: 1e6 }, 'my-model', prices).costUsd).toBe(30);
    expect(withCost({ inputTokens: 1e6, outputTokens: 0 }, 'claude-sonnet-4-5-20250929', prices).costUsd).toBe(1);
    expect(withCost({ inputTokens: 1e6, outputTokens: 0 }, 'unknown', prices).costUsd).toBeUndefined();
  });
});

describe('budget', () => {
  it('once the budget is reached no new task starts, running ones finish, and the run ends BudgetExceeded with a report', async () => {
    handler = (req) => (req.kind === 'task' ? { text: `done ${req.taskId}`, usage: { input: 20, output: 10 } } : defaultHandler(req));
    const plan = planOf({ B1: [], B2: [], B3: [], B4: [], B5: [], B6: [] });
    const result = (await env.run({ plan, options: { maxParallel: 2, budget: { maxTokens: 50 } } })) as RunResult;
    expect(result.status).toBe('BudgetExceeded');
    const statuses = result.tasks.map((t) => t.status);
    expect(statuses.filter((s) => s === 'Completed').length).toBeGreaterThanOrEqual(2);
    expect(statuses.filter((s) => s === 'Completed').length).toBeLessThan(6);
    const skipped = result.tasks.filter((t) => t.status === 'Skipped');
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped[0]!.reason).toMatch(/^budget exceeded: \d+ tokens used of 50$/);
    expect(result.budgetExceeded).toMatch(/tokens used of 50/);
    expect(env.llm.requests.filter((r) => skipped.some((s) => s.id === r.taskId))).toHaveLength(0);
    expect(result.report).toContain('## Task status');
  });
});

describe('prompt caching', () => {
  it('marks the system prompt and the context siblings share for Anthropic\'s prompt cache', async () => {
    handler = defaultHandler;
    await env.run({ goal: undefined, plan: { goal: 'Shared goal', tasks: [{ id: 'ROOT', title: 'Root', prompt: 'Start.' }, { id: 'SIB1', title: 'Sibling 1', prompt: 'One.', dependsOn: ['ROOT'] }, { id: 'SIB2', title: 'Sibling 2', prompt: 'Two.', dependsOn: ['ROOT'] }] } });
    const sib = env.llm.callsFor('SIB1')[0]!.body as unknown as { system: Array<{ cache_control?: unknown }>; messages: Array<{ content: Array<{ text: string; cache_control?: unknown }> }> };
    expect(sib.system[0]!.cache_control).toEqual({ type: 'ephemeral' });
    const blocks = sib.messages[0]!.content;
    expect(blocks.map((b) => [b.text.split('\n')[0], b.cache_control])).toEqual([
      ['## Overall goal', undefined],
      ['## Results of the tasks yours depends on', { type: 'ephemeral' }],
      ['## Your task: SIB1 · Sibling 1', undefined],
    ]);
    // Both siblings send the very same shared blocks, so the second can read them from the cache.
    const shared = (id: string) => JSON.stringify((env.llm.callsFor(id)[0]!.body as unknown as typeof sib).messages[0]!.content.slice(0, 2));
    expect(shared('SIB2')).toBe(shared('SIB1'));
  });
});

describe('decomposition cache', () => {
  it('reuses the last plan for the same goal, options and model, and plans anew when told not to', async () => {
    let plans = 0;
    handler = (req) => (req.kind === 'decompose' ? (plans++, { tool: { name: 'submit_plan', input: { tasks: [{ id: 'T-01', title: 'Only', prompt: 'Do it.' }] } } }) : defaultHandler(req));
    const first = await env.run({ goal: 'Cache me' });
    const second = await env.run({ goal: 'Cache me' });
    expect(plans).toBe(1);
    expect(first.planCached).toBeUndefined();
    expect(second.planCached).toBe(true);
    expect(second.plan).toEqual(first.plan);
    await env.run({ goal: 'Cache me', options: { maxTasks: 5 } });
    expect(plans).toBe(2); // other options, other key
    await env.run({ goal: 'Cache me', options: { planCache: false } });
    expect(plans).toBe(3);
  });
});
