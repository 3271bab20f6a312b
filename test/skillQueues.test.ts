// Skill queues: a task naming a queue runs only on the workers serving it; a queue nobody serves
// shows "waiting for a worker on …" instead of an unexplained Running; the CLI's worker roles and
// the shared rate limit on the server. Real workers against the test Temporal server.
import proto from '@temporalio/proto';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { markWorkerWaits } from '../src/client/workerWaits';
import { skillTaskQueue, taskActivityQueue } from '../src/plan/skillQueue';
import { validatePlan } from '../src/plan/validatePlan';
import type { RunResult, RunStatusView } from '../src/run/types';
import { createWorker, WorkerRoleError, type DagentWorker, type DagentWorkerOptions } from '../src/workers/createWorker';
import { statusQuery } from '../src/workflows/messages';
import { defaultHandler } from './support/fakeAnthropic';
import { cleanEnv, spawnDagent, waitForOutput } from './support/processes';
import { startTestEnv, TEST_API_KEY, type TestEnv } from './support/testEnv';

let env: TestEnv;
const extraWorkers: DagentWorker[] = [];
const running: Promise<void>[] = [];

beforeAll(async () => {
  env = await startTestEnv(defaultHandler, { env: { ...process.env, WORKER_NAME: 'main', DAGENT_SHELL_ENV: 'WORKER_NAME' } });
});
afterAll(async () => {
  for (const w of extraWorkers) w.shutdown();
  await Promise.allSettled(running);
  for (const w of extraWorkers) await w.close();
  await env?.close();
});

/** Another worker on the test's task queue, sharing its result store, as another host would through S3. */
async function startWorker(options: Partial<DagentWorkerOptions> & { name: string }): Promise<DagentWorker> {
  const worker = await createWorker({
    address: inject('temporalAddress'),
    namespace: 'default',
    taskQueue: env.taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    llm: { apiKey: TEST_API_KEY, baseURL: env.llm.url, defaultModel: 'claude-test', requestTimeoutMs: 30_000 },
    store: env.store,
    identity: `${options.name}-worker`,
    env: { ...process.env, WORKER_NAME: options.name, DAGENT_SHELL_ENV: 'WORKER_NAME' },
    ...options,
  });
  extraWorkers.push(worker);
  running.push(worker.run());
  return worker;
}

const ACTIVITY_QUEUE = proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY;
const shell = (id: string, command: string, extra: object = {}) => ({ id, title: id, backend: 'shell' as const, command, ...extra });

describe('skill queues', () => {
  beforeAll(async () => {
    await startWorker({ name: 'gpu', workflows: false, defaultActivities: false, queues: [{ name: 'gpu', maxConcurrentActivities: 2 }] });
  });

  it('sends a task naming a queue to the workers of that queue only, and its output on to the next task', async () => {
    const result = await env.run({
      plan: {
        tasks: [
          shell('T-01', 'echo "$WORKER_NAME"'),
          shell('T-02', 'echo "$WORKER_NAME got {{tasks.T-01.output}}"', { queue: 'gpu', dependsOn: ['T-01'] }),
          shell('T-03', 'echo "$WORKER_NAME got {{tasks.T-02.output}}"', { dependsOn: ['T-02'] }),
        ],
      },
      options: { aggregate: 'none' },
    });
    expect(result.status).toBe('Completed');
    expect(result.tasks.map((t) => t.output?.trim())).toEqual(['main', 'gpu got main', 'main got gpu got main']);
    expect(result.tasks.map((t) => t.queue)).toEqual([undefined, skillTaskQueue(env.taskQueue, 'gpu'), undefined]);
  });

  it('routes a backend to a queue through the run options (the config file\'s `queues`), a task\'s own queue first', () => {
    const queues = { shell: 'gpu' } as const;
    expect(taskActivityQueue({ backend: 'shell' }, queues, 'dagent')).toBe('dagent-gpu');
    expect(taskActivityQueue({ backend: 'shell', queue: 'cpu' }, queues, 'dagent')).toBe('dagent-cpu');
    expect(taskActivityQueue({ backend: 'claude' }, queues, 'dagent')).toBe('dagent');
    expect(taskActivityQueue({}, undefined, 'dagent')).toBe('dagent');
  });

  it('routes by backend on a live run', async () => {
    const result = await env.run({ plan: { tasks: [shell('T-01', 'echo "$WORKER_NAME"')] }, options: { aggregate: 'none', queues: { shell: 'gpu' } } });
    expect(result.tasks[0]!.output?.trim()).toBe('gpu');
  });

  it('sends an agent task\'s model turns and tool calls to its queue', async () => {
    const repo = await mkdtemp(join(tmpdir(), 'dagent-queue-repo-'));
    await writeFile(join(repo, 'README.md'), '# a project\n');
    await startWorker({ name: 'agents', workflows: false, defaultActivities: false, queues: [{ name: 'agents' }] });
    const handle = await env.start({ plan: { tasks: [{ id: 'A-1', title: 'Look', prompt: 'Look around.', queue: 'agents' }] }, options: { workdir: repo, aggregate: 'none' } });
    const result = await env.result(handle);
    expect(result.status).toBe('Completed');
    const child = await env.client.workflow.getHandle(`${handle.workflowId}/A-1`).fetchHistory();
    const scheduled = child.events!.filter((e) => e.activityTaskScheduledEventAttributes).map((e) => e.activityTaskScheduledEventAttributes!.taskQueue!.name);
    const startedBy = child.events!.filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.identity);
    expect(scheduled.length).toBeGreaterThan(0);
    expect(new Set(scheduled)).toEqual(new Set([skillTaskQueue(env.taskQueue, 'agents')]));
    expect(new Set(startedBy)).toEqual(new Set(['agents-worker']));
    await rm(repo, { recursive: true, force: true });
  });

  it('shows a task whose queue has no worker as waiting for one, and runs it once a worker comes', async () => {
    const handle = await env.start({ plan: { tasks: [shell('T-01', 'echo "$WORKER_NAME"', { queue: 'lonely' })] }, options: { aggregate: 'none' } });
    const lonely = skillTaskQueue(env.taskQueue, 'lonely');
    let view: RunStatusView | undefined;
    for (let i = 0; i < 60 && view?.tasks[0]?.waitingFor === undefined; i++) {
      await new Promise((r) => setTimeout(r, 250));
      view = await markWorkerWaits(env.client, handle, await handle.query(statusQuery), 1000).catch(() => undefined);
    }
    expect(view!.tasks[0]).toMatchObject({ status: 'Running', waitingFor: lonely });

    // A task that a worker has taken is not "waiting", however long it runs.
    const busy = await env.start({ plan: { tasks: [shell('T-01', 'sleep 3; echo done', { queue: 'gpu' })] }, options: { aggregate: 'none' } });
    await new Promise((r) => setTimeout(r, 2000));
    const busyTask = (await markWorkerWaits(env.client, busy, await busy.query(statusQuery), 1000)).tasks[0]!;
    expect(busyTask.status).toBe('Running');
    expect(busyTask.waitingFor).toBeUndefined();

    await startWorker({ name: 'lonely', workflows: false, defaultActivities: false, queues: [{ name: 'lonely' }] });
    const result = await env.result(handle);
    expect(result.tasks[0]!.output?.trim()).toBe('lonely');
    expect(((await busy.result()) as RunResult).status).toBe('Completed');
  });

  it('holds every worker of a queue to the rate limit set on the server', async () => {
    const limited = skillTaskQueue(env.taskQueue, 'gpu');
    await env.client.workflowService.updateTaskQueueConfig({ namespace: 'default', identity: 'test', taskQueue: limited, taskQueueType: ACTIVITY_QUEUE, updateQueueRateLimit: { rateLimit: { requestsPerSecond: 2 }, reason: 'test' } });
    try {
      const handle = await env.start({ plan: { tasks: Array.from({ length: 8 }, (_, i) => shell(`R-${i}`, 'true', { queue: 'gpu' })) }, options: { aggregate: 'none', maxParallel: 8 } });
      await handle.result();
      const started = (await handle.fetchHistory()).events!.filter((e) => e.activityTaskStartedEventAttributes).map((e) => Number(e.eventTime!.seconds) * 1000 + Math.floor((e.eventTime!.nanos ?? 0) / 1e6));
      // Started events are written when the activity completes; their times are when it started.
      const spread = Math.max(...started) - Math.min(...started);
      console.log(`8 tasks at 2/s: starts spread over ${spread} ms`);
      expect(spread).toBeGreaterThanOrEqual(2500);
    } finally {
      await env.client.workflowService.updateTaskQueueConfig({ namespace: 'default', identity: 'test', taskQueue: limited, taskQueueType: ACTIVITY_QUEUE, updateQueueRateLimit: { reason: 'test done' } });
    }
  });

  it('refuses a queue name that is not plain, naming the task and field', () => {
    const checked = validatePlan({ tasks: [shell('T-01', 'true', { queue: 'GPU pool' })] });
    expect(checked.ok).toBe(false);
    expect(JSON.stringify(checked)).toContain('queue');
    expect(JSON.stringify(checked)).toContain('lower-case letters');
  });

  it('refuses a worker that would poll nothing', async () => {
    await expect(createWorker({ address: inject('temporalAddress'), namespace: 'default', taskQueue: 'x', workflows: false, defaultActivities: false })).rejects.toThrow(WorkerRoleError);
  });
});

describe('the CLI: worker roles, queue show and the shared rate limit', () => {
  const taskQueue = `cliq-${randomUUID().slice(0, 8)}`;
  const cliEnv = () => cleanEnv({ TEMPORAL_ADDRESS: inject('temporalAddress'), ANTHROPIC_API_KEY: TEST_API_KEY });

  it('`dagent worker --queue` serves only its queues and `dagent queue` shows and limits them', async () => {
    const worker = spawnDagent(['worker', '--task-queue', taskQueue, '--queue', 'gpu=2,claude'], cliEnv());
    try {
      await waitForOutput(worker, 'Ctrl-C stops it');
      expect(worker.stderr()).toContain(`worker polling task queue ${taskQueue}-gpu (activities, 2 at once), ${taskQueue}-claude (activities) on`);
      expect(worker.stderr()).not.toContain('workflows');

      const limit = spawnDagent(['queue', 'limit', 'gpu', '--rps', '2', '--task-queue', taskQueue], cliEnv());
      expect(await limit.exited).toBe(0);
      expect(limit.stdout()).toContain(`${taskQueue}-gpu: at most 2 activities per second`);

      const show = spawnDagent(['queue', 'show', 'gpu', 'claude', '--json', '--task-queue', taskQueue], cliEnv());
      expect(await show.exited).toBe(0);
      const states = JSON.parse(show.stdout()) as Array<{ taskQueue: string; activityWorkers: string[]; workflowWorkers?: string[]; rateLimitRps?: number }>;
      expect(states.map((s) => s.taskQueue)).toEqual([taskQueue, `${taskQueue}-gpu`, `${taskQueue}-claude`]);
      // The run queue has nobody: this worker serves the skill queues alone.
      expect(states[0]).toMatchObject({ activityWorkers: [], workflowWorkers: [] });
      expect(states[1]!.activityWorkers).toHaveLength(1);
      expect(states[1]!.rateLimitRps).toBe(2);
      expect(states[2]!.activityWorkers).toHaveLength(1);
      expect(states[2]!.rateLimitRps).toBeUndefined();

      const clear = spawnDagent(['queue', 'limit', 'gpu', '--clear', '--task-queue', taskQueue], cliEnv());
      expect(await clear.exited).toBe(0);
      const after = spawnDagent(['queue', 'show', 'gpu', '--json', '--task-queue', taskQueue], cliEnv());
      expect(await after.exited).toBe(0);
      expect((JSON.parse(after.stdout()) as Array<{ rateLimitRps?: number }>)[1]!.rateLimitRps).toBeUndefined();
    } finally {
      worker.child.kill('SIGINT');
      await worker.exited;
    }
  });

  it('`--no-activities` serves the workflows alone', async () => {
    const worker = spawnDagent(['worker', '--task-queue', `${taskQueue}-flows`, '--no-activities'], cliEnv());
    try {
      await waitForOutput(worker, 'Ctrl-C stops it');
      expect(worker.stderr()).toContain(`worker polling task queue ${taskQueue}-flows (workflows only) on`);
      const show = spawnDagent(['queue', 'show', '--json', '--task-queue', `${taskQueue}-flows`], cliEnv());
      expect(await show.exited).toBe(0);
      const [own] = JSON.parse(show.stdout()) as Array<{ activityWorkers: string[]; workflowWorkers: string[] }>;
      expect(own!.workflowWorkers).toHaveLength(1);
      expect(own!.activityWorkers).toEqual([]);
    } finally {
      worker.child.kill('SIGINT');
      await worker.exited;
    }
  });

  it('bad queue flags and settings fail in one line that names them, exit 2', async () => {
    for (const [args, extra, expected] of [
      [['worker', '--queue', 'GPU!'], {}, '--queue "GPU!": a queue name is'],
      [['worker', '--queue', 'gpu=0'], {}, '--queue "gpu=0": write NAME or NAME=N'],
      [['queue', 'limit', 'gpu'], {}, 'give either --rps N'],
      [['queue', 'show'], { DAGENT_WORKER_WAIT: 'soon' }, 'DAGENT_WORKER_WAIT: must be a duration'],
    ] as const) {
      const p = spawnDagent([...args], { ...cliEnv(), ...extra });
      expect(await p.exited, args.join(' ')).toBe(2);
      expect(p.stderr()).toContain(expected);
      expect(p.stderr()).not.toMatch(/\n\s+at /);
    }
  });
});
