// Where a task's work is sent: the run's task queue, or one skill queue next to it. Pure: the
// workflow, the worker and the CLI all name queues through here, so they always agree.
import type { BackendName, RunOptions, Task } from './schema';

/** The run queue's name when none is configured. */
export const DEFAULT_TASK_QUEUE = 'dagent';

/** The Temporal task queue of a skill queue: `dagent` + `gpu` → `dagent-gpu`. */
export function skillTaskQueue(taskQueue: string, queue: string): string {
  return `${taskQueue}-${queue}`;
}

/** The skill queue a task names, else the one the run's options give its backend, else none. */
export function taskSkillQueue(task: Pick<Task, 'queue' | 'backend'>, queues: RunOptions['queues']): string | undefined {
  return task.queue ?? queues?.[(task.backend ?? 'anthropic') as BackendName];
}

/** The Temporal task queue a task's activities go to. */
export function taskActivityQueue(task: Pick<Task, 'queue' | 'backend'>, queues: RunOptions['queues'], taskQueue: string): string {
  const queue = taskSkillQueue(task, queues);
  return queue === undefined ? taskQueue : skillTaskQueue(taskQueue, queue);
}
