// The live task table of one run and its legal moves: readiness, start, finish, failure isolation.
// Pure and deterministic: the workflow owns one, the status query reads it.
import type { Plan } from '../plan/schema';
import { countStatuses, type TaskAttemptNotice, type TaskOutcome, type TaskRecord, type TaskStatus } from './types';

const ACTIVE: ReadonlySet<TaskStatus> = new Set(['Running', 'Retrying']);
const OPEN: ReadonlySet<TaskStatus> = new Set(['Pending', 'Waiting', 'Running', 'Retrying']);

export class TaskTable {
  private readonly records = new Map<string, TaskRecord>();
  private readonly dependents = new Map<string, string[]>();

  constructor(plan: Plan) {
    for (const task of plan.tasks) {
      this.records.set(task.id, {
        id: task.id,
        title: task.title,
        backend: task.backend ?? 'anthropic',
        status: 'Pending',
        attempts: 0,
        dependsOn: task.dependsOn ?? [],
        ...(task.tags ? { tags: task.tags } : {}),
        ...(task.meta ? { meta: task.meta } : {}),
      });
      this.dependents.set(task.id, []);
    }
    for (const task of plan.tasks) for (const dep of task.dependsOn ?? []) this.dependents.get(dep)!.push(task.id);
  }

  get(id: string): TaskRecord | undefined {
    return this.records.get(id);
  }

  /** Copies, in plan order, so callers cannot change the table behind its back. */
  list(): TaskRecord[] {
    return [...this.records.values()].map((r) => ({ ...r, dependsOn: [...r.dependsOn] }));
  }

  counts(): Record<TaskStatus, number> {
    return countStatuses([...this.records.values()]);
  }

  activeCount(): number {
    let n = 0;
    for (const r of this.records.values()) if (ACTIVE.has(r.status)) n++;
    return n;
  }

  isFinished(): boolean {
    for (const r of this.records.values()) if (OPEN.has(r.status)) return false;
    return true;
  }

  /** Pending tasks whose own dependencies all completed become Waiting, stamped with readyAt. */
  promoteReady(now: number): void {
    for (const r of this.records.values()) {
      if (r.status !== 'Pending') continue;
      if (r.dependsOn.every((dep) => this.records.get(dep)!.status === 'Completed')) {
        r.status = 'Waiting';
        r.readyAt = now;
      }
    }
  }

  /** Waiting tasks that fit under the parallelism bound, in plan order. */
  nextToStart(maxParallel: number): string[] {
    const free = maxParallel - this.activeCount();
    if (free <= 0) return [];
    return [...this.records.values()].filter((r) => r.status === 'Waiting').slice(0, free).map((r) => r.id);
  }

  markRunning(id: string, now: number): void {
    const r = this.mustBe(id, ['Waiting']);
    r.status = 'Running';
    r.startedAt = now;
    r.attempts = 1;
  }

  /** A retry notice from the activity; stale or unknown notices are ignored, never applied. */
  noteAttempt(notice: TaskAttemptNotice): void {
    const r = this.records.get(notice.taskId);
    if (!r || !ACTIVE.has(r.status) || !Number.isInteger(notice.attempt)) return;
    r.attempts = Math.max(r.attempts, notice.attempt);
    if (notice.error) r.error = String(notice.error).slice(0, 2000);
    if (r.attempts > 1 || notice.error) r.status = 'Retrying';
  }

  markCompleted(id: string, outcome: TaskOutcome, now: number): void {
    const r = this.mustBe(id, [...ACTIVE]);
    r.status = 'Completed';
    r.attempts = Math.max(r.attempts, outcome.attempt);
    r.error = undefined;
    this.finish(r, now);
    r.outputRef = outcome.outputRef;
    r.output = outcome.output;
    r.preview = outcome.preview;
    r.outputBytes = outcome.outputBytes;
    r.usage = outcome.usage;
    if (outcome.exitCode !== undefined) r.exitCode = outcome.exitCode;
    if (outcome.costUsd !== undefined) r.costUsd = outcome.costUsd;
  }

  /** Marks the task Failed and every transitive dependent Skipped, naming this task as the reason. */
  markFailed(id: string, error: string, attempts: number, now: number, exitCode?: number): string[] {
    const r = this.mustBe(id, [...ACTIVE]);
    r.status = 'Failed';
    r.error = error;
    if (exitCode !== undefined) r.exitCode = exitCode;
    r.attempts = Math.max(r.attempts, attempts);
    this.finish(r, now);
    return this.skipDependents(id, `dependency ${id} failed`);
  }

  /** failFast: running tasks become Cancelled and everything not yet started Skipped. */
  stopAll(reason: string, now: number): string[] {
    const cancelled: string[] = [];
    for (const r of this.records.values()) {
      if (ACTIVE.has(r.status)) {
        r.status = 'Cancelled';
        r.reason = reason;
        this.finish(r, now);
        cancelled.push(r.id);
      } else if (r.status === 'Pending' || r.status === 'Waiting') {
        r.status = 'Skipped';
        r.reason = reason;
      }
    }
    return cancelled;
  }

  private skipDependents(id: string, reason: string): string[] {
    const skipped: string[] = [];
    const queue = [...this.dependents.get(id)!];
    while (queue.length > 0) {
      const next = this.records.get(queue.shift()!)!;
      if (next.status !== 'Pending') continue;
      next.status = 'Skipped';
      next.reason = reason;
      skipped.push(next.id);
      queue.push(...this.dependents.get(next.id)!);
    }
    return skipped;
  }

  private finish(r: TaskRecord, now: number): void {
    r.finishedAt = now;
    r.durationMs = r.startedAt === undefined ? 0 : now - r.startedAt;
  }

  private mustBe(id: string, allowed: TaskStatus[]): TaskRecord {
    const r = this.records.get(id);
    if (!r) throw new Error(`unknown task ${id}`);
    if (!allowed.includes(r.status)) throw new Error(`task ${id} is ${r.status}, expected ${allowed.join(' or ')}`);
    return r;
  }
}
