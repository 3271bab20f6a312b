// Secrets stay in the worker: whatever path a secret takes (a failing command's stderr, an API
// error body that echoes the key, the model's answer, the merged report), it reaches neither
// history, nor the RunResult, nor the result store; and shell tasks start from an allow-listed
// environment, not the worker's.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult, TaskRecord } from '../src/run/types';
import { defaultHandler, type Handler } from './support/fakeAnthropic';
import { startTestEnv, TEST_API_KEY, type TestEnv } from './support/testEnv';
import { historyText } from './support/historyText';

const WORKER_SECRETS = {
  ANTHROPIC_API_KEY: TEST_API_KEY,
  AWS_SECRET_ACCESS_KEY: 'aws-secret-0123456789abcdef',
  SECRET_KEY: 'django-secret-0123456789',
  PRIVATE_KEY: 'private-key-material-0123456789',
  MY_API_KEY_2: 'second-api-key-0123456789',
  DATABASE_URL: 'postgres://dagent:db-password-0123456789@127.0.0.1:5432/app',
};
const DB_PASSWORD = 'db-password-0123456789';
const ALL_SECRET_VALUES = [...Object.values(WORKER_SECRETS).filter((v) => !v.startsWith('postgres')), DB_PASSWORD];

let env: TestEnv;
let handler: Handler = defaultHandler;
beforeAll(async () => {
  env = await startTestEnv((req) => handler(req), {
    // The operator passes one secret to shell tasks on purpose, and one plain variable.
    env: { ...process.env, ...WORKER_SECRETS, EXTRA_VISIBLE: 'yes-visible', DAGENT_SHELL_ENV: 'AWS_SECRET_ACCESS_KEY,EXTRA_VISIBLE' },
  });
});
afterAll(async () => env?.close());

const byId = (tasks: TaskRecord[]) => Object.fromEntries(tasks.map((t) => [t.id, t]));

function storedFiles(): string[] {
  const files: string[] = [];
  const walk = (d: string) => readdirSync(d).forEach((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : files.push(join(d, f))));
  walk(env.store.root);
  return files;
}

/** No secret value anywhere in the run: history, result, stored files. */
async function expectNoSecret(handle: Awaited<ReturnType<TestEnv['start']>>, result: RunResult): Promise<void> {
  const history = historyText(await handle.fetchHistory());
  const everything = [history, JSON.stringify(result), ...storedFiles().map((f) => readFileSync(f, 'utf8'))].join('\n');
  for (const secret of ALL_SECRET_VALUES) expect(everything, `secret ${secret.slice(0, 6)}…`).not.toContain(secret);
}

describe('the scrubber', () => {
  it("scrubs a failing shell task's stderr out of its failure message and history", async () => {
    handler = defaultHandler;
    const plan = { tasks: [{ id: 'LEAK', backend: 'shell' as const, command: 'echo "using $AWS_SECRET_ACCESS_KEY" >&2; exit 3' }] };
    const handle = await env.start({ plan, options: { aggregate: 'plain' } });
    const result = await env.result(handle);
    expect(byId(result.tasks).LEAK!.status).toBe('Failed');
    expect(byId(result.tasks).LEAK!.error).toContain('using [redacted AWS_SECRET_ACCESS_KEY]');
    await expectNoSecret(handle, result);
  });

  it('scrubs an API error body that echoes the key, in the retry notice and the final failure', async () => {
    let calls = 0;
    handler = (req) => {
      if (req.kind !== 'task') return defaultHandler(req);
      calls++;
      return calls === 1
        ? { status: 500, errorType: 'api_error', message: `upstream failed for key ${TEST_API_KEY}` }
        : { status: 401, errorType: 'authentication_error', message: `invalid x-api-key ${TEST_API_KEY}` };
    };
    const handle = await env.start({ plan: { tasks: [{ id: 'ECHO', title: 'Echo', prompt: 'p', retries: 2 }] }, options: { retryInitialInterval: '100ms', aggregate: 'plain' } });
    const result = await env.result(handle);
    const task = byId(result.tasks).ECHO!;
    expect(task.status).toBe('Failed');
    // The 500 is provider trouble, sent again within the attempt; the 401 ends it.
    expect(task.attempts).toBe(1);
    expect(task.error).toContain('invalid x-api-key [redacted ANTHROPIC_API_KEY]');
    // The 500's message travelled in the taskAttempt signal (the Retrying reason): it is in history, scrubbed.
    const history = historyText(await handle.fetchHistory());
    expect(history).toContain('taskAttempt');
    await expectNoSecret(handle, result);
  });

  it("scrubs the model's answer and the merged report, in the result and in the store", async () => {
    handler = (req) => {
      if (req.kind === 'aggregate') return { text: `## Executive summary\nThe key is ${TEST_API_KEY} and the AWS one ${WORKER_SECRETS.AWS_SECRET_ACCESS_KEY}.` };
      if (req.kind === 'task') return { text: `Connect with ${WORKER_SECRETS.DATABASE_URL} using ${WORKER_SECRETS.PRIVATE_KEY}` };
      return defaultHandler(req);
    };
    const handle = await env.start({ plan: { tasks: [{ id: 'ANS', title: 'Answer', prompt: 'p' }] } });
    const result = await env.result(handle);
    expect(result.status).toBe('Completed');
    expect(byId(result.tasks).ANS!.output).toContain('[redacted PRIVATE_KEY]');
    expect(byId(result.tasks).ANS!.output).toMatch(/postgres:\/\/\[redacted DATABASE_URL [a-z]+\]@127\.0\.0\.1/);
    expect(result.report).toContain('The key is [redacted ANTHROPIC_API_KEY] and the AWS one [redacted AWS_SECRET_ACCESS_KEY]');
    expect(readFileSync(join(env.store.root, result.reportRef!), 'utf8')).toContain('[redacted ANTHROPIC_API_KEY]');
    await expectNoSecret(handle, result);
  });
});

describe('the environment of shell tasks', () => {
  it('is an allow-list: secrets of any name stay out; DAGENT_SHELL_ENV and the task env add to it', async () => {
    handler = defaultHandler;
    const plan = { tasks: [{ id: 'ENV', backend: 'shell' as const, command: 'env', env: { TASK_OWN: 'from-the-plan' } }] };
    const handle = await env.start({ plan, options: { aggregate: 'plain' } });
    const result = await env.result(handle);
    const output = await env.store.get(byId(result.tasks).ENV!.outputRef!);
    const names = output.split('\n').map((line) => line.split('=')[0]);
    for (const hidden of ['ANTHROPIC_API_KEY', 'SECRET_KEY', 'PRIVATE_KEY', 'MY_API_KEY_2', 'DATABASE_URL', 'DAGENT_SHELL_ENV']) expect(names).not.toContain(hidden);
    expect(names).toEqual(expect.arrayContaining(['PATH', 'HOME', 'TASK_OWN', 'EXTRA_VISIBLE', 'AWS_SECRET_ACCESS_KEY', 'DAGENT_TASK_ID']));
    expect(output).toContain('TASK_OWN=from-the-plan');
    expect(output).toContain('EXTRA_VISIBLE=yes-visible');
    // Passed on purpose, yet still scrubbed from what the task returns.
    expect(output).toContain('AWS_SECRET_ACCESS_KEY=[redacted AWS_SECRET_ACCESS_KEY]');
    await expectNoSecret(handle, result);
  });
});
