// Every backend against the real server: the AI CLIs (fakes on PATH that record how they were
// called), shell commands, workdirs, outputSchema, and process clean-up on cancel and timeout.
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskRecord } from '../src/run/types';
import { defaultHandler, sleep } from './support/fakeAnthropic';
import { startTestEnv, type TestEnv } from './support/testEnv';

const FAKES = fileURLToPath(new URL('./fixtures/bin', import.meta.url));
let env: TestEnv;
let dir: string;
let log: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dagent-backends-'));
  log = join(dir, 'cli.log');
  // The worker runs in this process: the fakes must be on its PATH.
  process.env.PATH = `${FAKES}${delimiter}${process.env.PATH}`;
  process.env.FAKE_CLI_LOG = log;
  env = await startTestEnv(defaultHandler);
});
afterAll(async () => {
  await env?.close();
  await rm(dir, { recursive: true, force: true });
});

const calls = async () => (await readFile(log, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { cli: string; args: string[]; cwd: string });
const byId = (tasks: TaskRecord[]) => Object.fromEntries(tasks.map((t) => [t.id, t]));
/** Processes whose command line carries the marker, from the process table. */
function processesWith(marker: string): number[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
    } catch {
      return false;
    }
  }).map(Number);
}

describe('AI CLI backends', () => {
  it('calls claude, codex and gemini with their own flags and reads their answers', async () => {
    const result = await env.run({
      plan: {
        tasks: [
          { id: 'CL', backend: 'claude', prompt: 'Review', model: 'opus', maxTurns: 7, systemPrompt: 'Be terse.', sandboxMode: 'read-only', workdir: dir },
          { id: 'CX', backend: 'codex', prompt: 'Refactor', model: 'gpt-5', approvalMode: 'none', sandboxMode: 'workspace', systemPrompt: 'Be careful.' },
          { id: 'GM', backend: 'gemini', prompt: 'Test', model: 'gemini-2.5-pro', approvalMode: 'auto' },
        ],
      },
    });
    const t = byId(result.tasks);
    expect(result.status).toBe('Completed');
    expect(t.CL).toMatchObject({ backend: 'claude', output: 'fake claude output for CL', usage: { inputTokens: 11, outputTokens: 22 }, costUsd: 0.0125, exitCode: 0 });
    expect(t.CX).toMatchObject({ backend: 'codex', output: 'fake codex output for CX', exitCode: 0 });
    expect(t.GM).toMatchObject({ backend: 'gemini', output: 'fake gemini output for GM', usage: { inputTokens: 13, outputTokens: 17 } });

    const all = await calls();
    const claude = all.find((c) => c.cli === 'claude')!;
    expect(claude.cwd).toBe(dir);
    expect(claude.args[0]).toBe('-p');
    expect(claude.args[1]).toContain('## Your task: CL · Review');
    expect(claude.args.slice(2)).toEqual(['--output-format', 'json', '--model', 'opus', '--max-turns', '7', '--append-system-prompt', 'Be terse.', '--permission-mode', 'plan']);
    const codex = all.find((c) => c.cli === 'codex')!;
    expect(codex.args.slice(0, 5)).toEqual(['--ask-for-approval', 'never', 'exec', '--skip-git-repo-check', '--output-last-message']);
    expect(codex.args.slice(6, -1)).toEqual(['--model', 'gpt-5', '--sandbox', 'workspace-write']);
    expect(codex.args.at(-1)).toMatch(/^Be careful\.\n\n## Your task: CX · Refactor/);
    const gemini = all.find((c) => c.cli === 'gemini')!;
    expect(gemini.args.slice(2)).toEqual(['--output-format', 'json', '--model', 'gemini-2.5-pro', '--approval-mode', 'auto_edit']);
  });

  it('fails a CLI task that exits non-zero with its exit code and stderr, after its retries', async () => {
    const result = await env.run({ plan: { tasks: [{ id: 'BAD', backend: 'claude', prompt: 'x [fail]', retries: 1 }] }, options: { retryInitialInterval: '100ms' } });
    expect(result.tasks[0]).toMatchObject({ status: 'Failed', attempts: 2, exitCode: 3 });
    expect(result.tasks[0]!.error).toBe('claude exited with code 3: claude: something broke\nfatal: cannot continue');
  });

  it('fails a CLI that prints no JSON, naming what it printed', async () => {
    const result = await env.run({ plan: { tasks: [{ id: 'NJ', backend: 'gemini', prompt: 'x [bad-json]', retries: 0 }] } });
    expect(result.tasks[0]!.error).toBe('gemini did not print the JSON result it was asked for; it printed: this is not json\n');
  });
});

describe('shell backend', () => {
  it('runs argv arrays without a shell and strings with sh -c; stdout is the output', async () => {
    const result = await env.run({
      plan: {
        tasks: [
          { id: 'ARGV', backend: 'shell', command: ['node', '-e', 'console.log(JSON.stringify(process.argv.slice(1)))', 'a b', '$HOME'] },
          { id: 'SH', backend: 'shell', command: 'echo "$DAGENT_TASK_ID" && pwd', workdir: dir },
        ],
      },
    });
    const t = byId(result.tasks);
    expect(t.ARGV!.output).toBe('["a b","$HOME"]\n');
    expect(t.SH!.output).toBe(`SH\n${dir}\n`);
    expect(t.SH!.exitCode).toBe(0);
  });

  it('fails at once on a non-zero exit, with the exit code and the tail of stderr', async () => {
    const result = await env.run({ plan: { tasks: [{ id: 'EXIT', backend: 'shell', command: 'echo out; echo problem >&2; exit 7' }] } });
    expect(result.tasks[0]).toMatchObject({ status: 'Failed', attempts: 1, exitCode: 7, error: 'shell task EXIT exited with code 7: problem' });
  });

  it('refuses a workdir that does not exist', async () => {
    const result = await env.run({ plan: { tasks: [{ id: 'WD', backend: 'shell', command: 'pwd', workdir: join(dir, 'nope') }] } });
    expect(result.tasks[0]).toMatchObject({ status: 'Failed', attempts: 1, error: `workdir ${join(dir, 'nope')} does not exist or is not a directory on this worker` });
  });
});

describe('outputSchema', () => {
  const schema = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] };

  it('gives one corrective attempt with the validation error, then accepts a valid answer', async () => {
    const result = await env.run({ plan: { tasks: [{ id: 'FIX', backend: 'claude', prompt: 'Answer [schema-repair]', outputSchema: schema }] } });
    expect(result.tasks[0]).toMatchObject({ status: 'Completed', output: '{"ok": true}', usage: { inputTokens: 22, outputTokens: 44 } });
    const fix = (await calls()).filter((c) => c.args[1]?.includes('## Your task: FIX'));
    expect(fix).toHaveLength(2);
    expect(fix[1]!.args[1]).toContain('It did not match the JSON Schema: output/ok must be boolean');
  });

  it('fails with a schema error when the answer is still wrong', async () => {
    const result = await env.run({ plan: { tasks: [{ id: 'NOFIX', backend: 'codex', prompt: 'Answer', outputSchema: schema }] } });
    expect(result.tasks[0]).toMatchObject({ status: 'Failed', attempts: 1 });
    expect(result.tasks[0]!.error).toMatch(/^output does not match outputSchema: the output is not JSON/);
  });
});

describe('cancellation and timeouts leave no process behind', () => {
  it('kills the whole process group when failFast cancels a running CLI task', async () => {
    const result = await env.run({
      plan: { tasks: [{ id: 'HANG', backend: 'claude', prompt: 'wait [hang:cancel1]' }, { id: 'DIE', backend: 'shell', command: 'sleep 1; exit 1' }] },
      options: { failFast: true },
    });
    expect(byId(result.tasks).HANG).toMatchObject({ status: 'Cancelled', reason: 'failFast: DIE failed' });
    for (let i = 0; i < 50 && processesWith('fake-grandchild-cancel1').length > 0; i++) await sleep(100);
    expect(processesWith('fake-grandchild-cancel1')).toEqual([]);
  });

  it('kills the whole process group when a task times out', async () => {
    const result = await env.run({ plan: { tasks: [{ id: 'SLOWPOKE', backend: 'gemini', prompt: 'wait [hang:timeout1]', timeout: '2s', retries: 0 }] } });
    expect(result.tasks[0]).toMatchObject({ status: 'Failed', error: 'timed out (start-to-close)' });
    for (let i = 0; i < 50 && processesWith('fake-grandchild-timeout1').length > 0; i++) await sleep(100);
    expect(processesWith('fake-grandchild-timeout1')).toEqual([]);
  });
});

describe('critical tasks', () => {
  it('a critical task\'s failure stops the run as failFast would', async () => {
    const result = await env.run({
      plan: { tasks: [{ id: 'CRIT', backend: 'shell', command: 'exit 2', critical: true }, { id: 'OTHER', backend: 'shell', command: 'sleep 5' }, { id: 'NEXT', backend: 'shell', command: 'true', dependsOn: ['OTHER'] }] },
    });
    const t = byId(result.tasks);
    expect(t.CRIT!.status).toBe('Failed');
    expect(t.OTHER).toMatchObject({ status: 'Cancelled', reason: 'critical task CRIT failed' });
    expect(t.NEXT).toMatchObject({ status: 'Skipped', reason: 'critical task CRIT failed' });
  });
});
