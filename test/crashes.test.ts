// Things that really break: a worker SIGKILLed at five points of a 30-task run, the Temporal
// server SIGKILLed and restarted on its database while a CLI watches, and the CLI itself killed.
// Nothing is lost; nothing that completed runs again.
import { Client, Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunResult, RunStatusView } from '../src/run/types';
import { withOutputs } from '../src/client/readOutputs';
import { LocalResultStore } from '../src/store/resultStore';
import { startDevServer, type DevServer } from '../src/temporal/devServer';
import { approveUpdate, statusQuery } from '../src/workflows/messages';
import { defaultHandler, sleep, startFakeAnthropic, type FakeAnthropic } from './support/fakeAnthropic';
import { cleanEnv, spawnDagent, waitForOutput, type Spawned } from './support/processes';
import { TEST_API_KEY } from './support/testEnv';

let llm: FakeAnthropic;
let dir: string;
const spawned: Spawned[] = [];
const servers: DevServer[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dagent-crash-'));
});
afterAll(async () => {
  for (const p of spawned) p.child.kill('SIGKILL');
  for (const s of servers) await s.stop();
  await llm?.close();
  await rm(dir, { recursive: true, force: true });
});

const env = (address: string) => cleanEnv({ ANTHROPIC_API_KEY: TEST_API_KEY, ANTHROPIC_BASE_URL: llm.url, DAGENT_RESULTS_DIR: join(dir, 'results'), TEMPORAL_ADDRESS: address });
async function startWorker(address: string, taskQueue: string): Promise<Spawned> {
  const worker = spawnDagent(['worker', '--task-queue', taskQueue], env(address));
  spawned.push(worker);
  await waitForOutput(worker, 'worker polling');
  return worker;
}
async function kill(p: Spawned): Promise<void> {
  p.child.kill('SIGKILL');
  await p.exited;
}
async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('worker killed at five points of a 30-task run', () => {
  it('completes with the same result; completed tasks never run again; in-flight ones at most once more per kill', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `T-${String(i + 1).padStart(2, '0')}`);
    // T-01..T-14 in parallel; T-15 needs approval after them; T-16..T-29 a chain; T-30 joins.
    const plan = {
      tasks: ids.map((id, i) => ({
        id,
        title: `Task ${id}`,
        prompt: `Do ${id}.`,
        dependsOn: i < 14 ? [] : i === 14 ? ids.slice(0, 14) : i < 29 ? [ids[i - 1]!] : ids.slice(0, 29),
        ...(i === 14 ? { requiresApproval: true } : {}),
      })),
    };
    llm = await startFakeAnthropic(async (req) => {
      if (req.kind === 'decompose') {
        await sleep(1500);
        return { tool: { name: 'submit_plan', input: plan } };
      }
      if (req.kind === 'aggregate') await sleep(1500);
      if (req.kind === 'task') await sleep(300);
      return defaultHandler(req);
    });
    const address = inject('temporalAddress');
    const taskQueue = `crash30-${randomUUID()}`;
    const client = new Client({ connection: await Connection.connect({ address }) });
    const status = (h: ReturnType<Client['workflow']['getHandle']>) => h.query(statusQuery) as Promise<RunStatusView>;
    /** When each task was first seen Completed, just before a kill: it must never be called after that. */
    const completedAt = new Map<string, number>();
    const kills: Array<{ point: string; inFlight: string[]; at: number }> = [];
    let worker = await startWorker(address, taskQueue);
    const handle = await client.workflow.start('orchestrate', {
      taskQueue,
      workflowId: `crash30-${randomUUID()}`,
      args: [{ goal: 'Thirty tasks', options: { maxParallel: 4, heartbeatTimeout: '2s', retryInitialInterval: '200ms', maxTasks: 30, planCache: false } }],
    });

    const killAt = async (point: string) => {
      let inFlight: string[] = [];
      try {
        const view = await status(handle);
        const seenAt = Date.now();
        for (const t of view.tasks) if (t.status === 'Completed' && !completedAt.has(t.id)) completedAt.set(t.id, seenAt);
        inFlight = view.tasks.filter((t) => t.status === 'Running' || t.status === 'Retrying').map((t) => t.id);
      } catch {
        // No plan yet (planning): nothing completed, nothing in flight.
      }
      await kill(worker);
      kills.push({ point, inFlight, at: Date.now() });
      worker = await startWorker(address, taskQueue);
    };

    // 1. While planning.
    await until(async () => (llm.requests.some((r) => r.kind === 'decompose') ? true : undefined), 'planning');
    await killAt('planning');
    // 2. While tasks run.
    await until(async () => ((await status(handle)).counts.Completed >= 3 && (await status(handle)).counts.Running > 0 ? true : undefined), 'tasks running');
    await killAt('tasks running');
    // 3. While a task waits for approval (nothing else can run).
    await until(async () => ((await status(handle)).tasks.find((t) => t.id === 'T-15')!.status === 'AwaitingApproval' && (await status(handle)).counts.Running === 0 ? true : undefined), 'approval');
    await killAt('waiting for approval');
    await handle.executeUpdate(approveUpdate, { args: [{ requestId: 'approve-T-15', taskId: 'T-15' }] });
    // 4. Between tasks: right after one answer of the chain, before the next task starts.
    await until(async () => (llm.callsFor('T-20').some((r) => r.respondedAt) ? true : undefined), 'T-20 answered');
    await killAt('between tasks');
    // 5. While aggregating.
    await until(async () => (llm.requests.some((r) => r.kind === 'aggregate') ? true : undefined), 'aggregating', 120_000);
    await killAt('aggregating');

    const { result } = await withOutputs((await handle.result()) as RunResult, new LocalResultStore(join(dir, 'results')));
    await client.connection.close();
    expect(result.status).toBe('Completed');
    expect(result.tasks.map((t) => [t.id, t.status, t.output])).toEqual(ids.map((id) => [id, 'Completed', `output of ${id}`]));
    expect(result.report).toContain('## Executive summary');
    expect(result.plan.tasks).toHaveLength(30);
    expect(completedAt.size).toBeGreaterThan(10);
    for (const [id, at] of completedAt) {
      expect(llm.callsFor(id).filter((r) => r.receivedAt > at), `${id} completed before a kill and ran again`).toEqual([]);
    }
    for (const id of ids) expect(llm.callsFor(id).length, id).toBeLessThanOrEqual(1 + kills.filter((k) => k.inFlight.includes(id)).length);
    // A dead worker's task moves to the live one within seconds (heartbeat timeout 2 s).
    const moved = kills.find((k) => k.point === 'tasks running')!;
    const retried = moved.inFlight.map((id) => llm.callsFor(id)[1]?.receivedAt).filter((t): t is number => t !== undefined);
    expect(retried.length).toBeGreaterThan(0);
    for (const at of retried) expect(at - moved.at).toBeLessThan(15_000);
    expect(kills.map((k) => k.point)).toEqual(['planning', 'tasks running', 'waiting for approval', 'between tasks', 'aggregating']);
    const rerun = ids.filter((id) => llm.callsFor(id).length > 1);
    console.info(
      `reliability: worker kills: 5 SIGKILLs in a 30-task run; ${kills.reduce((n, k) => n + k.inFlight.length, 0)} tasks in flight at a kill, ${rerun.length} ran again (${rerun.join(', ') || 'none'}); ` +
        `${completedAt.size} tasks seen completed before a kill, 0 ran again; slowest hand-over to the new worker ${Math.max(...retried.map((t) => t - moved.at))} ms; 30/30 completed, 0 lost`,
    );
  });
});

describe('server killed mid-run', () => {
  it('the run completes after the server restarts on its database; a watching CLI reconnects and keeps rendering', async () => {
    llm = await startFakeAnthropic(async (req) => {
      if (req.kind === 'task') await sleep(800);
      return defaultHandler(req);
    });
    const dbFile = join(dir, 'killed-server.db');
    let server = await startDevServer({ dbFile, headless: true, logFile: join(dir, 'server1.log') });
    servers.push(server);
    const taskQueue = `server-kill-${randomUUID()}`;
    const worker = await startWorker(server.address, taskQueue);
    const client = new Client({ connection: await Connection.connect({ address: server.address }) });
    const plan = { tasks: Array.from({ length: 10 }, (_, i) => ({ id: `S${i}`, title: `Step ${i}`, prompt: `Do ${i}.`, dependsOn: i === 0 ? [] : [`S${i - 1}`] })) };
    const handle = await client.workflow.start('orchestrate', { taskQueue, workflowId: `server-kill-${randomUUID()}`, args: [{ plan, options: { heartbeatTimeout: '3s', retryInitialInterval: '200ms' } }] });
    const watch = spawnDagent(['status', handle.workflowId, '--watch'], env(server.address));
    spawned.push(watch);
    await until(async () => ((await handle.query(statusQuery)).counts.Completed >= 3 ? true : undefined), 'three steps');
    await client.connection.close();

    server.process.kill('SIGKILL');
    await new Promise((r) => server.process.once('exit', r));
    await until(async () => (watch.stderr().includes('reconnecting') ? true : undefined), 'the watcher to notice', 20_000);
    server = await startDevServer({ dbFile, port: server.port, headless: true, logFile: join(dir, 'server2.log') });
    servers.push(server);

    expect(await watch.exited).toBe(0);
    expect(watch.stdout()).toMatch(/Total: 10 tasks, 10 completed, 0 failed, 0 skipped/);
    const again = new Client({ connection: await Connection.connect({ address: server.address }) });
    const result = (await again.workflow.getHandle(handle.workflowId).result()) as RunResult;
    await again.connection.close();
    expect(result.tasks.every((t) => t.status === 'Completed')).toBe(true);
    await kill(worker);
  });
});

describe('CLI killed mid-run', () => {
  it('the run is not affected, and dagent status --watch attaches again', async () => {
    llm = await startFakeAnthropic(async (req) => {
      if (req.kind === 'task') await sleep(700);
      return defaultHandler(req);
    });
    const address = inject('temporalAddress');
    const taskQueue = `cli-kill-${randomUUID()}`;
    const worker = await startWorker(address, taskQueue);
    const planFile = join(dir, 'chain.json');
    await (await import('node:fs/promises')).writeFile(planFile, JSON.stringify({ steps: Array.from({ length: 6 }, (_, i) => ({ name: `step ${i}`, prompt: `Do ${i}.` })) }));
    const workflowId = `cli-kill-${randomUUID()}`;
    const run = spawnDagent(['run', '--file', planFile, '--no-worker', '--task-queue', taskQueue, '--workflow-id', workflowId], env(address));
    spawned.push(run);
    await waitForOutput(run, 'T-02 Running');
    await kill(run);

    const watch = spawnDagent(['status', workflowId, '--watch'], env(address));
    spawned.push(watch);
    expect(await watch.exited).toBe(0);
    expect(watch.stdout()).toMatch(/Total: 6 tasks, 6 completed, 0 failed, 0 skipped/);
    await kill(worker);
  });
});
