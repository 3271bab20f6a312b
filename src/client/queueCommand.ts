// `dagent queue show` and `dagent queue limit`: the skill queues' workers, backlog and shared rate
// limit, on the server. The limit is Temporal's own task-queue rate limit (UpdateTaskQueueConfig):
// it binds every worker of the queue together, wherever they run.
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { skillTaskQueue } from '../plan/skillQueue';
import { connectClient, resolveTemporal } from '../temporal/connect';
import { loadConfig, type DagentConfig } from './config';
import { CliError, EXIT } from './exitCodes';
import { logLine, resolveTaskQueue, type ConnectionFlags } from './shared';

const ACTIVITY = proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY;
const WORKFLOW = proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW;

export interface QueueState {
  /** The skill queue's name, or undefined for the run's own task queue. */
  queue?: string;
  taskQueue: string;
  /** Workers polling for activities (and, on the run's own queue, for workflows). */
  activityWorkers: string[];
  workflowWorkers?: string[];
  backlog: number;
  /** The limit set with `dagent queue limit` (or `temporal task-queue config set`), if any. */
  rateLimitRps?: number;
}

async function withQueueClient<T>(flags: ConnectionFlags, use: (client: Client, taskQueue: string, config: DagentConfig) => Promise<T>): Promise<T> {
  const { config } = await loadConfig();
  const taskQueue = resolveTaskQueue(flags.taskQueue, config.taskQueue);
  const target = await resolveTemporal({ address: flags.address, namespace: flags.namespace, profile: flags.profile, autoStart: false, log: logLine });
  const client = await connectClient(target);
  try {
    return await use(client, taskQueue, config);
  } finally {
    await client.connection.close();
  }
}

async function describeQueue(client: Client, taskQueue: string, taskQueueType: number) {
  return client.workflowService.describeTaskQueue({ namespace: client.options.namespace, taskQueue: { name: taskQueue }, taskQueueType, reportStats: true, reportConfig: true });
}

export async function queueState(client: Client, taskQueue: string, queue?: string): Promise<QueueState> {
  const name = queue === undefined ? taskQueue : skillTaskQueue(taskQueue, queue);
  const activities = await describeQueue(client, name, ACTIVITY);
  const state: QueueState = {
    ...(queue !== undefined ? { queue } : {}),
    taskQueue: name,
    activityWorkers: activities.pollers.map((p) => p.identity ?? '?').sort(),
    backlog: Number(activities.stats?.approximateBacklogCount ?? 0),
  };
  const limit = activities.config?.queueRateLimit?.rateLimit?.requestsPerSecond;
  if (typeof limit === 'number') state.rateLimitRps = limit;
  if (queue === undefined) state.workflowWorkers = (await describeQueue(client, name, WORKFLOW)).pollers.map((p) => p.identity ?? '?').sort();
  return state;
}

export async function queueShowCommand(queues: string[], flags: ConnectionFlags & { json?: boolean }): Promise<number> {
  return withQueueClient(flags, async (client, taskQueue, config) => {
    // The run's own queue, the ones named, else those the config file routes backends to.
    const names = queues.length > 0 ? queues : [...new Set(Object.values(config.queues ?? {}))];
    const states = [await queueState(client, taskQueue), ...(await Promise.all(names.map((q) => queueState(client, taskQueue, q))))];
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(states, null, 2)}\n`);
      return EXIT.ok;
    }
    for (const s of states) {
      const workers = s.activityWorkers.length === 0 ? 'no worker' : `${s.activityWorkers.length} worker(s): ${s.activityWorkers.join(', ')}`;
      const limit = s.rateLimitRps === undefined ? 'no rate limit' : `limit ${s.rateLimitRps}/s`;
      const flows = s.workflowWorkers ? ` · workflows: ${s.workflowWorkers.length === 0 ? 'no worker' : s.workflowWorkers.length}` : '';
      process.stdout.write(`${s.taskQueue}${s.queue ? ` (queue ${s.queue})` : ' (runs)'} · activities: ${workers}${flows} · backlog ${s.backlog} · ${limit}\n`);
    }
    return EXIT.ok;
  });
}

export async function queueLimitCommand(queue: string, flags: ConnectionFlags & { rps?: number; clear?: boolean; reason?: string }): Promise<number> {
  if ((flags.rps === undefined) === !flags.clear) throw new CliError('give either --rps N (activities started per second, across all workers of the queue) or --clear', EXIT.usage);
  return withQueueClient(flags, async (client, taskQueue) => {
    const name = skillTaskQueue(taskQueue, queue);
    await client.workflowService.updateTaskQueueConfig({
      namespace: client.options.namespace,
      identity: client.options.identity,
      taskQueue: name,
      taskQueueType: ACTIVITY,
      // No rateLimit in the update removes the limit.
      updateQueueRateLimit: { ...(flags.rps !== undefined ? { rateLimit: { requestsPerSecond: flags.rps } } : {}), reason: flags.reason ?? 'dagent queue limit' },
    });
    process.stdout.write(flags.clear ? `${name}: rate limit removed\n` : `${name}: at most ${flags.rps} activities per second, across all its workers\n`);
    return EXIT.ok;
  });
}
