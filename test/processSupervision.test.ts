// Nothing a task started outlives it, read from the process table (/proc): not when its worker
// is SIGKILLed (the retry on another worker must not run next to the first attempt), not a
// grandchild that left the process group with setsid, on completion or on cancellation.
import { Client, Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunResult } from '../src/run/types';
import { cancelTaskUpdate, statusQuery } from '../src/workflows/messages';
import { defaultHandler, sleep } from './support/fakeAnthropic';
import { cleanEnv, spawnDagent, waitForOutput, type Spawned } from './support/processes';
import { startTestEnv, type TestEnv } from './support/testEnv';

let env: TestEnv;
let dir: string;
const workers: Spawned[] = [];
/** Every pid a test learnt about, killed at the end whatever happened (the old code left them running). */
const seen = new Set<number>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dagent-supervision-'));
  env = await startTestEnv(defaultHandler);
});
afterAll(async () => {
  for (const w of workers) w.child.kill('SIGKILL');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.pid'))) seen.add(Number(readFileSync(join(dir, file), 'utf8')));
  for (const pid of seen) signal(pid);
  await env?.close();
  await rm(dir, { recursive: true, force: true });
});

function signal(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

/** Alive = in the process table and not a zombie (nothing may reap orphans in a container). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Live children of a process, by the parent pid in /proc/PID/stat. */
function childrenOf(parent: number): number[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent && isAlive(pid);
    } catch {
      return false;
    }
  });
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const lines = async (file: string) => (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);
const pidIn = async (file: string) => {
  const text = (await readFile(file, 'utf8').catch(() => '')).trim();
  return /^\d+$/.test(text) ? Number(text) : undefined;
};
/** A shell snippet that starts `sleep 300` in a new session with its output away from the task's pipes, and waits for its pid in PIDFILE. */
const detachedSleeper = (pidFile: string) =>
  `setsid sh -c 'echo $$ > "${pidFile}"; exec sleep 300' >/dev/null 2>&1 </dev/null & while [ ! -s "${pidFile}" ]; do sleep 0.05; done`;

describe('a SIGKILLed worker takes its task\'s processes with it', () => {
  it('the retry on a second worker never runs next to the first attempt', async () => {
    const address = inject('temporalAddress');
    const taskQueue = `supervision-${randomUUID()}`;
    const startWorker = async () => {
      const worker = spawnDagent(['worker', '--task-queue', taskQueue], cleanEnv({ TEMPORAL_ADDRESS: address, DAGENT_RESULTS_DIR: join(dir, 'results') }));
      workers.push(worker);
      await waitForOutput(worker, 'worker polling');
      return worker;
    };
    const log = join(dir, 'attempts.log');
    // The first attempt writes its shell's pid and sleeps; the second writes its pid and finishes.
    const command = `if [ -s "${log}" ]; then echo "$$ attempt-2" >> "${log}"; exit 0; fi; echo "$$ attempt-1" >> "${log}"; sleep 30`;

    const first = await startWorker();
    const client = new Client({ connection: await Connection.connect({ address }) });
    try {
      const handle = await client.workflow.start('orchestrate', {
        taskQueue,
        workflowId: `supervision-${randomUUID()}`,
        args: [{ plan: { tasks: [{ id: 'SLEEPY', title: 'Sleeps', backend: 'shell', command, retries: 1 }] }, options: { heartbeatTimeout: '2s', retryInitialInterval: '100ms', aggregate: 'none' } }],
      });
      const shellPid = await until(async () => Number((await lines(log))[0]?.split(' ')[0]) || undefined, 'the first attempt');
      const sleepPid = await until(() => childrenOf(shellPid)[0], 'the first attempt\'s sleep');
      for (const pid of [shellPid, sleepPid]) seen.add(pid);

      first.child.kill('SIGKILL');
      await first.exited;
      const second = await startWorker();

      const attempts = await until(async () => ((await lines(log)).length >= 2 ? lines(log) : undefined), 'the second attempt');
      // Checked the moment the second attempt has written its line: the first must be gone by now.
      expect(attempts[1]).toMatch(/^\d+ attempt-2$/);
      expect({ shell: isAlive(shellPid), sleep: isAlive(sleepPid) }).toEqual({ shell: false, sleep: false });

      const result = (await handle.result()) as RunResult;
      expect(result.tasks[0]).toMatchObject({ status: 'Completed', attempts: 2 });
      second.child.kill('SIGTERM');
      await second.exited;
    } finally {
      await client.connection.close();
    }
  });
});

describe('a grandchild that left the process group with setsid', () => {
  it('is killed when the task finishes', async () => {
    const pidFile = join(dir, 'finish.pid');
    const result = await env.run({
      plan: { tasks: [{ id: 'LEAVER', title: 'Leaves a sleeper behind', backend: 'shell', command: `${detachedSleeper(pidFile)}; echo done` }] },
      options: { aggregate: 'none' },
    });
    const pid = (await pidIn(pidFile))!;
    seen.add(pid);
    expect(result.tasks[0]).toMatchObject({ status: 'Completed', output: 'done\n' });
    // The supervisor kills the leftovers before it reports the exit, so this holds the moment the task is done.
    expect(isAlive(pid)).toBe(false);
  });

  it('does not keep a finished task waiting by holding its output pipe', async () => {
    const pidFile = join(dir, 'holder.pid');
    // No redirection: the sleeper keeps the task's stdout open for 300 s.
    const command = `setsid sh -c 'echo $$ > "${pidFile}"; exec sleep 300' & while [ ! -s "${pidFile}" ]; do sleep 0.05; done; echo done`;
    const result = await env.run({ plan: { tasks: [{ id: 'HOLDER', title: 'Holds stdout', backend: 'shell', command }] }, options: { aggregate: 'none' } });
    const pid = (await pidIn(pidFile))!;
    seen.add(pid);
    expect(result.tasks[0]).toMatchObject({ status: 'Completed', output: 'done\n' });
    expect(isAlive(pid)).toBe(false);
  });

  it('is killed when the running task is cancelled', async () => {
    const pidFile = join(dir, 'cancel.pid');
    const handle = await env.start({
      plan: { tasks: [{ id: 'HOLD', title: 'Runs until cancelled', backend: 'shell', command: `${detachedSleeper(pidFile)}; sleep 300` }] },
      options: { aggregate: 'none' },
    });
    const pid = await until(() => pidIn(pidFile), 'the detached sleeper');
    seen.add(pid);
    await until(async () => ((await handle.query(statusQuery)).tasks[0]!.status === 'Running' ? true : undefined), 'the task to run');

    await handle.executeUpdate(cancelTaskUpdate, { args: [{ requestId: randomUUID(), taskId: 'HOLD', reason: 'test' }] });
    const result = (await handle.result()) as RunResult;
    expect(result.tasks[0]).toMatchObject({ status: 'Cancelled' });
    // The workflow does not wait for the activity to stop: wait for the supervisor's TERM and its grace period.
    await until(() => (isAlive(pid) ? undefined : true), `pid ${pid} to die`, 30_000).catch(() => undefined);
    expect(isAlive(pid)).toBe(false);
  });
});
