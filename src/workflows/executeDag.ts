// The execute phase: start each task the moment its own dependencies are done, up to maxParallel,
// isolate failures, and stop everything on failFast. Deterministic workflow code.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  TimeoutFailure,
  condition,
  proxyActivities,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { toTemporalDuration, type Duration, type Plan, type Task } from '../plan/schema';
import type { TaskTable } from '../run/taskTable';

export interface ExecuteSettings {
  goal?: string;
  model?: string;
  maxParallel: number;
  failFast: boolean;
  taskTimeout: Duration;
  heartbeatTimeout: Duration;
  retryInitialInterval: Duration;
  retries: number;
}

export async function executeDag(plan: Plan, table: TaskTable, settings: ExecuteSettings): Promise<void> {
  const tasks = new Map(plan.tasks.map((t) => [t.id, t]));
  const scopes = new Map<string, CancellationScope>();
  let changed = false;

  const start = (task: Task): void => {
    table.markRunning(task.id, Date.now());
    const scope = new CancellationScope();
    scopes.set(task.id, scope);
    const upstream = (task.dependsOn ?? []).map((dep) => {
      const record = table.get(dep)!;
      return { id: dep, title: record.title, outputRef: record.outputRef! };
    });
    const maxAttempts = (task.retries ?? settings.retries) + 1;
    scope
      .run(() => taskActivities(task, settings, maxAttempts).runTask({ goal: settings.goal, task, model: settings.model, upstream }))
      .then((outcome) => table.markCompleted(task.id, outcome, Date.now()))
      .catch((err: unknown) => {
        if (table.get(task.id)!.status === 'Cancelled') return; // we cancelled it ourselves
        const { message, attempts, exitCode } = describeFailure(err, maxAttempts);
        table.markFailed(task.id, message, attempts, Date.now(), exitCode);
        if (settings.failFast || task.critical) {
          const reason = task.critical ? `critical task ${task.id} failed` : `failFast: ${task.id} failed`;
          for (const id of table.stopAll(reason, Date.now())) scopes.get(id)?.cancel();
        }
      })
      .finally(() => {
        scopes.delete(task.id);
        changed = true;
      });
  };

  for (;;) {
    table.promoteReady(Date.now());
    for (const id of table.nextToStart(settings.maxParallel)) start(tasks.get(id)!);
    if (table.isFinished()) return;
    if (table.activeCount() === 0) {
      // Unreachable for a validated plan; fail loudly rather than wait forever.
      throw ApplicationFailure.nonRetryable('no task can start and none is running', 'SchedulerStuck');
    }
    await condition(() => changed);
    changed = false;
  }
}

function taskActivities(task: Task, settings: ExecuteSettings, maxAttempts: number) {
  return proxyActivities<Activities>({
    activityId: `task:${task.id}`,
    summary: `${task.id} · ${task.title}`,
    startToCloseTimeout: toTemporalDuration(task.timeout ?? settings.taskTimeout),
    heartbeatTimeout: toTemporalDuration(settings.heartbeatTimeout),
    retry: {
      maximumAttempts: maxAttempts,
      initialInterval: toTemporalDuration(settings.retryInitialInterval),
      backoffCoefficient: 2,
      // Above the retry-after delays the API asks for, which arrive as nextRetryDelay.
      maximumInterval: '2m',
    },
  });
}

/** The root cause in words a user can act on, and how many attempts were made. */
export function describeFailure(err: unknown, maxAttempts: number): { message: string; attempts: number; exitCode?: number } {
  let cause: unknown = err;
  let attempts = 1;
  if (err instanceof ActivityFailure) {
    cause = err.cause ?? err;
    if (err.retryState === 'MAXIMUM_ATTEMPTS_REACHED') attempts = maxAttempts;
  }
  if (cause instanceof ApplicationFailure) {
    const detail = cause.details?.[0] as { attempt?: number; exitCode?: number | null } | undefined;
    if (typeof detail?.attempt === 'number') attempts = Math.max(attempts, detail.attempt);
    return { message: cause.message, attempts, ...(typeof detail?.exitCode === 'number' ? { exitCode: detail.exitCode } : {}) };
  }
  if (cause instanceof TimeoutFailure) return { message: `timed out (${String(cause.timeoutType).toLowerCase().replace(/_/g, '-')})`, attempts };
  return { message: cause instanceof Error ? cause.message : String(cause), attempts };
}
