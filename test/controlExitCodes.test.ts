// Exit codes and messages of the control commands through the real CLI: a run that does not
// exist or has ended (exit 2, named), a refused update (the plain reason), a watcher that has
// lost the server for longer than --reconnect-timeout (exit 4), and the summary line.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { summaryLine } from '../src/client/printResult';
import type { RunStats } from '../src/run/types';
import { statusQuery } from '../src/workflows/messages';
import { defaultHandler, sleep } from './support/fakeAnthropic';
import { cleanEnv, spawnDagent } from './support/processes';
import { startTestEnv, TEST_API_KEY, type TestEnv } from './support/testEnv';
import { freePort as closedPort } from '../src/temporal/devServer';

let testEnv: TestEnv;
let dir: string;

beforeAll(async () => {
  testEnv = await startTestEnv(defaultHandler);
  dir = await mkdtemp(join(tmpdir(), 'dagent-exit-codes-'));
});
afterAll(async () => {
  await testEnv?.close();
  await rm(dir, { recursive: true, force: true });
});

const env = (address = inject('temporalAddress')) => cleanEnv({ ANTHROPIC_API_KEY: TEST_API_KEY, ANTHROPIC_BASE_URL: testEnv.llm.url, TEMPORAL_ADDRESS: address });
async function dagent(args: string[], address?: string) {
  const p = spawnDagent(args, env(address));
  const code = await p.exited;
  return { args: args.join(' '), code, stdout: p.stdout(), stderr: p.stderr() };
}

describe('a run that is not there', () => {
  it('every command on an unknown workflow id exits 2 and names it', async () => {
    const id = `no-such-run-${randomUUID()}`;
    const patch = join(dir, 'patch.yaml');
    await writeFile(patch, 'remove: [A]\n');
    const commands = [
      ['status', id],
      ['status', id, '--json'],
      ['status', id, '--watch'],
      ['result', id],
      ['graph', id],
      ['approve', id],
      ['reject', id],
      ['skip', id, '--task', 'A'],
      ['retry', id, '--task', 'A'],
      ['cancel', id],
      ['cancel', id, '--task', 'A'],
      ['patch', id, '--file', patch],
    ];
    const outcomes = await Promise.all(commands.map((args) => dagent(args)));
    expect(outcomes.map((o) => [o.args, o.code, o.stderr])).toEqual(commands.map((args) => [args.join(' '), 2, `dagent: no run ${id}\n`]));
  });

  it('an update or a cancel sent to a run that has ended is refused, exit 2, saying so', async () => {
    const handle = await testEnv.start({ plan: { tasks: [{ id: 'A', title: 'Quick', backend: 'shell', command: 'true' }] } });
    await handle.result();
    const outcomes = await Promise.all([['approve', handle.workflowId], ['skip', handle.workflowId, '--task', 'A'], ['cancel', handle.workflowId]].map((args) => dagent(args)));
    for (const o of outcomes) {
      expect([o.args, o.code, o.stderr]).toEqual([o.args, 2, `dagent: refused: run ${handle.workflowId} has already ended (COMPLETED); the run is unchanged\n`]);
    }
  });
});

describe('a refused update', () => {
  it('prints the validator\'s plain reason, without the failure\'s type or retry flag', async () => {
    const handle = await testEnv.start({ plan: { tasks: [{ id: 'A', title: 'Long', backend: 'shell', command: 'sleep 30' }] } });
    for (let i = 0; i < 100 && (await handle.query(statusQuery)).phase !== 'Running'; i++) await sleep(100);
    const refused = await dagent(['approve', handle.workflowId]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('dagent: refused: cannot approve the plan: the run is Running, not waiting for plan approval; name a task with taskId; the run is unchanged\n');
    expect(refused.stderr).not.toMatch(/retryable|ControlError|type:/);
    await handle.cancel();
  });
});

describe('dagent status --watch without a server', () => {
  it('keeps trying for --reconnect-timeout, then exits 4 with what went wrong', async () => {
    const address = `127.0.0.1:${await closedPort()}`;
    const watch = await dagent(['status', 'some-run', '--watch', '--reconnect-timeout', '2s'], address);
    expect(watch.code).toBe(4);
    expect(watch.stderr).toMatch(/dagent: gave up watching some-run: no answer from Temporal for 2\.0s \(--reconnect-timeout\); last error: cannot reach Temporal at 127\.0\.0\.1:\d+/);
  });

  it('documents the flag and refuses a bad value with exit 2', async () => {
    const help = await dagent(['status', '--help']);
    expect(help.stdout).toMatch(/--reconnect-timeout <duration>\s+with --watch: how long to keep reconnecting/);
    expect(help.stdout).toContain('(default 60s)');
    const bad = await dagent(['status', 'x', '--watch', '--reconnect-timeout', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--reconnect-timeout must be a duration such as 30s or 5m');
  });
});

describe('the summary line', () => {
  it('counts skipped and cancelled tasks apart', () => {
    const stats: RunStats = { totalTasks: 6, completed: 2, failed: 1, skipped: 1, cancelled: 2, serialMs: 4000, makespanMs: 2000, criticalPathMs: 2000, criticalPath: ['A'], speedup: 2 };
    expect(summaryLine(stats)).toBe('Total: 6 tasks, 2 completed, 1 failed, 1 skipped, 2 cancelled (2.0s, speedup 2.0x)');
    expect(summaryLine({ ...stats, skipped: 0, cancelled: 0, completed: 5 })).toBe('Total: 6 tasks, 5 completed, 1 failed, 0 skipped, 0 cancelled (2.0s, speedup 2.0x)');
  });
});
