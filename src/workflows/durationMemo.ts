// The scheduler's memory of task durations across runs (see activities/taskDurations.ts): looked
// up before tasks start, when slots are short and some task has no estimatedMinutes. A task run by
// one activity adds its own duration as it completes; the run adds the rest (agent tasks) when its
// tasks are done, in one activity, and only if there are any. Runs that began before the memo
// existed skip it on replay; those that began before tasks added their own add all of them.
import { patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Task } from '../plan/schema';
import { mediansByTask, taskDurationKey, unestimatedTaskKeys } from '../plan/taskDurationKey';
import type { TaskRecord } from '../run/types';
import { isAgentTask } from './taskWorkdir';

const PATCH = 'duration-memo';
const BY_TASKS = 'durations-by-tasks';

const memo = (activityId: string, summary: string) =>
  proxyActivities<Activities>({ activityId, summary, startToCloseTimeout: '1m', retry: { maximumAttempts: 2, initialInterval: '1s' } });

/** Median ms of earlier runs, by task id, for the tasks that have a memo. */
export async function earlierDurations(tasks: Task[], maxParallel: number, model: string | undefined): Promise<Map<string, number>> {
  const keys = unestimatedTaskKeys(tasks, model);
  if (tasks.length <= maxParallel || keys.size === 0 || !patched(PATCH)) return new Map();
  try {
    return mediansByTask(keys, await memo('durations-lookup', 'durations of earlier runs').knownDurations({ keys: [...keys.values()] }));
  } catch {
    return new Map(); // A hint, not a need: without it tasks weigh the same.
  }
}

/** Adds the completed tasks' durations that no activity added to the memo; never fails the run. */
export async function rememberDurations(tasks: Task[], records: TaskRecord[], model: string | undefined, runWorkdir: string | undefined): Promise<void> {
  if (!patched(PATCH)) return;
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const addedByTasks = patched(BY_TASKS);
  const entries = records.flatMap((r) => {
    const task = byId.get(r.id);
    if (r.status !== 'Completed' || r.durationMs === undefined || !task || task.decompose || (addedByTasks && !isAgentTask(task, runWorkdir))) return [];
    return [{ key: taskDurationKey(task, model), ms: r.durationMs }];
  });
  if (entries.length === 0) return;
  await memo('durations-record', 'remember task durations').recordDurations({ entries }).catch(() => undefined);
}
