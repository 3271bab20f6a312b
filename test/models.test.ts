// Which models dagent uses and prices: the default is a current model (no deprecation warning
// from the SDK), the built-in price table knows today's models and no others, and a retired or
// unknown model fails its task at once with the API's own message.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_MODEL, llmSettingsFromEnv } from '../src/llm/settings';
import { DEFAULT_PRICES, withCost } from '../src/run/prices';
import type { RunResult } from '../src/run/types';
import { defaultHandler, type Handler } from './support/fakeAnthropic';
import { cleanEnv, spawnDagent } from './support/processes';
import { planOf, startTestEnv, TEST_API_KEY, type TestEnv } from './support/testEnv';

/** What the API answers for a model it does not serve (a retired one included). */
const RETIRED = new Set(['claude-retired-1']);
let handler: Handler = defaultHandler;
let env: TestEnv;
let dir: string;

beforeAll(async () => {
  env = await startTestEnv((req) => (RETIRED.has(req.body.model) ? { status: 404, errorType: 'not_found_error', message: `model: ${req.body.model}` } : handler(req)));
  dir = await mkdtemp(join(tmpdir(), 'dagent-models-'));
});
afterAll(async () => {
  await env?.close();
  await rm(dir, { recursive: true, force: true });
});

/** The cost of one million input and one million output tokens, or of a million of each cache kind. */
const perMillion = (model: string) => withCost({ inputTokens: 1e6, outputTokens: 1e6 }, model, DEFAULT_PRICES).costUsd;
const cachePerMillion = (model: string) => withCost({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 1e6, cacheWriteTokens: 1e6 }, model, DEFAULT_PRICES).costUsd;

describe('the default model', () => {
  it('is the current Sonnet, unless DAGENT_MODEL says otherwise', () => {
    expect(DEFAULT_MODEL).toBe('claude-sonnet-5-5');
    expect(llmSettingsFromEnv({}).defaultModel).toBe('claude-sonnet-5-5');
    expect(llmSettingsFromEnv({ DAGENT_MODEL: 'claude-opus-5-5' }).defaultModel).toBe('claude-opus-5-5');
  });

  it('is what a worker without DAGENT_MODEL sends, priced, and draws no SDK deprecation warning', async () => {
    handler = (req) => (req.kind === 'task' ? { text: 'done', usage: { input: 1000, output: 100 } } : defaultHandler(req));
    const plan = join(dir, 'default-model.yaml');
    await writeFile(plan, 'tasks:\n  - {id: D, title: Default model, prompt: Do it}\n');
    const run = spawnDagent(
      ['run', '--file', plan, '--json', '--no-aggregate', '--task-queue', `models-${randomUUID()}`],
      cleanEnv({ ANTHROPIC_API_KEY: TEST_API_KEY, ANTHROPIC_BASE_URL: env.llm.url, DAGENT_RESULTS_DIR: join(dir, 'results'), TEMPORAL_ADDRESS: inject('temporalAddress') }),
    );
    expect(await run.exited).toBe(0);
    const result = JSON.parse(run.stdout()) as RunResult;
    expect(env.llm.callsFor('D')[0]!.body.model).toBe('claude-sonnet-5-5');
    // (1000 * 2 + 100 * 10) / 1e6
    expect(result.tasks[0]).toMatchObject({ model: 'claude-sonnet-5-5', costUsd: 0.003 });
    expect(run.stderr()).not.toMatch(/deprecated|end-of-life/i);
  });
});

describe('the built-in price table', () => {
  it.each([
    ['claude-sonnet-5-5', 12, 2.7],
    ['claude-sonnet-5', 12, 2.7],
    ['claude-opus-5-5', 24, 5.4],
    ['claude-opus-5', 30, 6.75],
    ['claude-opus-4-8', 30, 6.75],
    ['claude-opus-4-7', 30, 6.75],
    ['claude-opus-4-6', 30, 6.75],
    ['claude-opus-4-5', 30, 6.75],
    ['claude-opus-4-5-20251101', 30, 6.75],
    ['claude-opus-4-1', 90, 20.25],
    ['claude-fable-5', 60, 13.5],
    ['claude-fable-5-1', 60, 13.5],
    ['claude-fable-5-2', 60, 13.5],
    ['claude-sonnet-4-6', 18, 4.05],
    ['claude-sonnet-4-5', 18, 4.05],
    ['claude-sonnet-4-5-20250929', 18, 4.05],
    ['claude-haiku-4-5', 6, 1.35],
    ['claude-haiku-4-5-20251001', 6, 1.35],
  ])('prices %s at $%d per million input + output tokens', (model, inOut, cache) => {
    expect(perMillion(model)).toBe(inOut);
    expect(cachePerMillion(model)).toBe(cache);
  });

  // No published price: the cost is unknown, never zero and never a neighbour's price.
  it.each(['claude-haiku-5-5', 'claude-mythos-5', 'claude-mythos-5-2', 'claude-mythos-preview', 'claude-opus-4-0', 'claude-opus-4-20250514', 'claude-retired-1'])(
    'leaves %s unpriced',
    (model) => {
      expect(perMillion(model)).toBeUndefined();
    },
  );
});

describe('a retired or unknown model', () => {
  it('fails the task after one attempt with the API\'s message, while the other tasks go on', async () => {
    handler = defaultHandler;
    const result = await env.run({ plan: planOf({ OLD: [], OK: [] }, { OLD: { model: 'claude-retired-1' } }), options: { retryInitialInterval: '100ms' } });
    const [old, ok] = result.tasks;
    expect(old).toMatchObject({ status: 'Failed', attempts: 1, error: 'Anthropic API 404 not_found_error: model: claude-retired-1' });
    expect(ok).toMatchObject({ status: 'Completed' });
    expect(env.llm.callsFor('OLD')).toHaveLength(1);
  });
});
