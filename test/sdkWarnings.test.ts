// The Anthropic SDK's own console warnings (here: a deprecated model) go to the worker's log,
// once per message, and never onto stderr where the live table and JSON output are; other
// console.warn calls are left alone. Real SDK calls to the test LLM server.
import Anthropic from '@anthropic-ai/sdk';
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL } from '../src/llm/settings';
import { routeSdkWarnings } from '../src/llm/sdkWarnings';
import { startFakeAnthropic, type FakeAnthropic } from './support/fakeAnthropic';
import { TEST_API_KEY } from './support/testEnv';

let llm: FakeAnthropic;
const logged: LogEntry[] = [];
const printed: unknown[][] = [];
const stderrWrites: string[] = [];
const originalWarn = console.warn;
const originalStderrWrite = process.stderr.write;

beforeAll(async () => {
  // This file's process has no worker: the runtime's logger is ours to read.
  Runtime.install({ logger: new DefaultLogger('WARN', (entry) => logged.push(entry)) });
  llm = await startFakeAnthropic();
  // What reaches the console stands in for stderr; the routing wraps it.
  console.warn = (...args: unknown[]) => void printed.push(args);
  routeSdkWarnings();
  routeSdkWarnings(); // idempotent: a second call must not wrap twice
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    stderrWrites.push(String(chunk));
    return (originalStderrWrite as (...a: unknown[]) => boolean).call(process.stderr, chunk, ...rest);
  }) as typeof process.stderr.write;
});
afterAll(async () => {
  process.stderr.write = originalStderrWrite;
  console.warn = originalWarn;
  await llm?.close();
});

async function ask(model: string): Promise<string> {
  const client = new Anthropic({ apiKey: TEST_API_KEY, baseURL: llm.url, maxRetries: 0 });
  const message = await client.messages.stream({ model, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
  return message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
}

const sdkLines = () => logged.filter((e) => e.meta?.source === '@anthropic-ai/sdk');

describe('routeSdkWarnings', () => {
  it('logs a deprecated model\'s warning once, at warn level, and prints nothing', async () => {
    expect(await ask('claude-sonnet-4-5')).toBe('ok');
    expect(await ask('claude-sonnet-4-5')).toBe('ok');
    expect(printed).toEqual([]);
    expect(stderrWrites.join('')).not.toContain('deprecated');
    expect(sdkLines()).toHaveLength(1);
    expect(sdkLines()[0]).toMatchObject({ level: 'WARN' });
    expect(sdkLines()[0]!.message).toMatch(/^The model 'claude-sonnet-4-5' is deprecated and will reach end-of-life on /);
  });

  it('lets console.warn calls from anywhere else through unchanged', () => {
    console.warn('not from the SDK', 42);
    expect(printed).toEqual([['not from the SDK', 42]]);
    expect(sdkLines()).toHaveLength(1);
  });

  it('the default model draws no warning at all', async () => {
    const before = sdkLines().length;
    printed.length = 0;
    expect(await ask(DEFAULT_MODEL)).toBe('ok');
    expect(sdkLines()).toHaveLength(before);
    expect(printed).toEqual([]);
  });
});
