// The live task table of one run and its legal moves: readiness, start, finish, failure
// isolation, and the operator's moves (approve, reject, skip, cancel, retry, patch). Each operator
// move has a check that throws a ControlError and changes nothing, so an update validator can
// refuse it. Pure and deterministic: the workflow owns one, the status query reads it.
import type { AgentProgressNotice } from './agentTypes';
import type { Plan, Task } from '../plan/schema';
import { countStatuses, OUTPUT_READY, type ReusableOutput, type TaskAttemptNotice, type TaskOutcome, type TaskRecord, type TaskStatus } from './types';

const ACTIVE: ReadonlySet<TaskStatus> = new Set(['Running', 'Retrying']);
const NOT_STARTED: ReadonlySet<TaskStatus> = new Set(['Pending', 'Waiting', 'AwaitingApproval']);
const OPEN: ReadonlySet<TaskStatus> = new Set([...NOT_STARTED, ...ACTIVE]);
const DEAD_END: ReadonlySet<TaskStatus> = new Set(['Failed', 'Skipped', 'Cancelled']);

/** An operator move that does not fit the run's state; the run is left exactly as it was. */
export class ControlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControlError';
  }
}

export class TaskTable {
  private readonly records = new Map<string, TaskRecord>();
  private tasks = new Map<string, Task>();
  /** Attempts made by earlier runs of a task that an operator retried. */
  private readonly earlierAttempts = new Map<string, number>();
  /** How many times each task was started, for unique activity ids. */
  private readonly starts = new Map<string, number>();
  /** For a Skipped task, the failed or rejected task that caused it. */
  private readonly skippedBecause = new Map<string, string>();
  /** Counts patches: whatever was worked out from the plan's shape is stale once it changes. */
  private version = 0;

  constructor(plan: Plan) {
    for (const task of plan.tasks) this.addTask(task);
  }

  plan(base: Omit<Plan, 'tasks'> = {}): Plan {
    return { ...base, tasks: [...this.tasks.values()] };
  }

  task(id: string): Task {
    return this.tasks.get(id)!;
  }

  get(id: string): TaskRecord | undefined {
    return this.records.get(id);
  }

  /** Copies, in plan order, so callers cannot change the table behind its back. */
  list(): TaskRecord[] {
    return [...this.records.values()].map((r) => ({ ...r, dependsOn: [...r.dependsOn] }));
  }

  /** The records themselves, in plan order, for reading on every workflow activation without copying them. */
  view(): Iterable<Readonly<TaskRecord>> {
    return this.records.values();
  }

  counts(): Record<TaskStatus, number> {
    return countStatuses([...this.records.values()]);
  }

  activeCount(): number {
    return [...this.records.values()].filter((r) => ACTIVE.has(r.status)).length;
  }

  isFinished(): boolean {
    return ![...this.records.values()].some((r) => OPEN.has(r.status));
  }

  awaitingApproval(): TaskRecord[] {
    return [...this.records.values()].filter((r) => r.status === 'AwaitingApproval');
  }

  planVersion(): number {
    return this.version;
  }

  waitingCount(): number {
    return [...this.records.values()].filter((r) => r.status === 'Waiting').length;
  }

  startNumber(id: string): number {
    return this.starts.get(id) ?? 0;
  }

  /**
   * Pending tasks whose dependencies all completed become Waiting (or AwaitingApproval), stamped
   * with readyAt; Pending tasks behind a failed, skipped or cancelled dependency become Skipped.
   */
  promoteReady(now: number): void {
    let changed = true;
    while (changed) {
      changed = false;
      for (const r of this.records.values()) {
        if (r.status !== 'Pending') continue;
        const blocked = r.dependsOn.map((d) => this.records.get(d)!).find((d) => DEAD_END.has(d.status));
        if (blocked) {
          const root = this.skippedBecause.get(blocked.id) ?? blocked.id;
          this.skip(r, root, `dependency ${root} ${this.records.get(root)!.status.toLowerCase()}`);
          changed = true;
        } else if (r.dependsOn.every((d) => OUTPUT_READY.has(this.records.get(d)!.status))) {
          r.status = this.tasks.get(r.id)!.requiresApproval ? 'AwaitingApproval' : 'Waiting';
          r.readyAt = now;
        }
      }
    }
  }

  /** Waiting tasks that fit under the parallelism bound, in plan order. */
  /**
   * The Waiting tasks to start now, at most the free slots: with `priority`, the highest first
   * (critical-path-first), ties in plan order; without, in plan order.
   */
  nextToStart(maxParallel: number, priority?: ReadonlyMap<string, number>): string[] {
    const free = maxParallel - this.activeCount();
    if (free <= 0) return [];
    const waiting = [...this.records.values()].filter((r) => r.status === 'Waiting').map((r) => r.id);
    // Array.prototype.sort is stable: equal priorities keep plan order.
    if (priority) waiting.sort((a, b) => (priority.get(b) ?? 0) - (priority.get(a) ?? 0));
    return waiting.slice(0, free);
  }

  /** `queue`: the skill queue's task queue the work goes to, when not the run's own; `reuseKey`: what its result depends on. */
  markRunning(id: string, now: number, queue?: string, reuseKey?: string): void {
    const r = this.mustBe(id, ['Waiting']);
    r.status = 'Running';
    r.startedAt = now;
    if (queue !== undefined) r.queue = queue;
    else delete r.queue;
    if (reuseKey !== undefined) r.reuseKey = reuseKey;
    r.attempts = (this.earlierAttempts.get(id) ?? 0) + 1;
    this.starts.set(id, this.startNumber(id) + 1);
  }

  /** A retry notice from the activity; stale or unknown notices are ignored, never applied. */
  noteAttempt(notice: TaskAttemptNotice): void {
    const r = this.records.get(notice?.taskId);
    if (!r || !ACTIVE.has(r.status) || !Number.isInteger(notice.attempt)) return;
    r.attempts = Math.max(r.attempts, (this.earlierAttempts.get(r.id) ?? 0) + notice.attempt);
    if (notice.error) r.error = String(notice.error).slice(0, 2000);
    if (notice.attempt > 1 || notice.error) r.status = 'Retrying';
  }

  markCompleted(id: string, outcome: TaskOutcome, now: number): void {
    const r = this.mustBe(id, [...ACTIVE]);
    r.status = 'Completed';
    r.attempts = Math.max(r.attempts, (this.earlierAttempts.get(id) ?? 0) + outcome.attempt);
    r.error = undefined;
    this.finish(r, now);
    Object.assign(r, { outputRef: outcome.outputRef, output: outcome.output, preview: outcome.preview, outputBytes: outcome.outputBytes, usage: outcome.usage });
    if (outcome.outputHash !== undefined) r.outputHash = outcome.outputHash;
    if (outcome.exitCode !== undefined) r.exitCode = outcome.exitCode;
    if (outcome.usage.costUsd !== undefined) r.costUsd = outcome.usage.costUsd;
    if (outcome.model !== undefined) r.model = outcome.model;
    // Only when true, so records of complete outputs (and the histories of older runs) stay as they were.
    if (outcome.truncated) r.truncated = true;
    if (outcome.filesRead?.length) r.filesRead = outcome.filesRead;
  }

  /** A ready task takes an earlier run's output instead of running: 0 attempts, 0 tokens. */
  markReused(id: string, earlier: ReusableOutput): void {
    const r = this.mustBe(id, ['Waiting', 'AwaitingApproval']);
    r.status = 'Reused';
    Object.assign(r, { reuseKey: earlier.reuseKey, outputRef: earlier.outputRef, outputHash: earlier.outputHash, preview: earlier.preview, outputBytes: earlier.outputBytes, reusedFrom: earlier.workflowId });
    if (earlier.model !== undefined) r.model = earlier.model;
    if (earlier.truncated) r.truncated = true;
  }

  /** What a running agent task is doing now, for the live table; ignored for any other task. */
  noteActivity(notice: AgentProgressNotice): void {
    const r = this.records.get(notice?.taskId);
    if (!r || !ACTIVE.has(r.status) || typeof notice.activity !== 'string') return;
    r.activity = notice.activity.slice(0, 200);
  }

  /** A budget is spent: nothing else starts; what runs may finish. */
  skipNotStarted(reason: string): string[] {
    const skipped: string[] = [];
    for (const r of this.records.values()) {
      if (!NOT_STARTED.has(r.status)) continue;
      r.status = 'Skipped';
      r.reason = reason;
      skipped.push(r.id);
    }
    return skipped;
  }

  /** Marks the task Failed; its dependents become Skipped at the next promoteReady. */
  markFailed(id: string, error: string, attempts: number, now: number, exitCode?: number): void {
    const r = this.mustBe(id, [...ACTIVE]);
    r.status = 'Failed';
    r.error = error;
    r.attempts = Math.max(r.attempts, (this.earlierAttempts.get(id) ?? 0) + attempts);
    if (exitCode !== undefined) r.exitCode = exitCode;
    this.finish(r, now);
  }

  /** failFast, a critical failure or a cancelled run: running tasks Cancelled, the rest Skipped. */
  stopAll(reason: string, now: number): string[] {
    const cancelled: string[] = [];
    for (const r of this.records.values()) {
      if (ACTIVE.has(r.status)) {
        r.status = 'Cancelled';
        r.reason = reason;
        this.finish(r, now);
        cancelled.push(r.id);
      } else if (NOT_STARTED.has(r.status)) {
        r.status = 'Skipped';
        r.reason = reason;
      }
    }
    return cancelled;
  }

  // Operator moves: check first (throws, changes nothing), then apply.

  checkApprove(id: string): void {
    this.mustBeFor('approve', id, ['AwaitingApproval']);
  }

  approve(id: string): void {
    this.checkApprove(id);
    this.records.get(id)!.status = 'Waiting';
  }

  /**
   * Rejecting or skipping a task that has not started: it and its dependents are Skipped. In a
   * held run a failed task may be skipped too: its failure is accepted and the run can end.
   */
  checkSkip(id: string, action = 'skip', failedToo = false): void {
    this.mustBeFor(action, id, failedToo ? [...NOT_STARTED, 'Failed'] : [...NOT_STARTED]);
  }

  skipByOperator(id: string, reason: string, failedToo = false): void {
    this.checkSkip(id, 'skip', failedToo);
    this.skip(this.records.get(id)!, id, reason);
  }

  failedCount(): number {
    let failed = 0;
    for (const r of this.records.values()) if (r.status === 'Failed') failed++;
    return failed;
  }

  checkCancel(id: string): void {
    this.mustBeFor('cancel', id, [...OPEN]);
  }

  /** Returns whether the task was running (its activity must then be cancelled). */
  cancelByOperator(id: string, reason: string, now: number): boolean {
    this.checkCancel(id);
    const r = this.records.get(id)!;
    const wasRunning = ACTIVE.has(r.status);
    r.status = 'Cancelled';
    r.reason = reason;
    if (wasRunning) this.finish(r, now);
    return wasRunning;
  }

  checkRetry(id: string): void {
    this.mustBeFor('retry', id, ['Failed', 'Cancelled']);
  }

  /** A failed or cancelled task runs again (with a new prompt if given); what it held back returns to Pending. */
  retry(id: string, prompt?: string): string[] {
    this.checkRetry(id);
    const r = this.records.get(id)!;
    this.earlierAttempts.set(id, r.attempts);
    if (prompt !== undefined) this.tasks.set(id, { ...this.tasks.get(id)!, prompt });
    this.reopen(r);
    const reopened = [id];
    for (const [skipped, cause] of this.skippedBecause) {
      if (cause !== id) continue;
      this.reopen(this.records.get(skipped)!);
      reopened.push(skipped);
    }
    return reopened;
  }

  /** A patched plan may change only tasks that have not started, and may not drop a started one. */
  checkPatch(next: Plan): void {
    const nextById = new Map(next.tasks.map((t) => [t.id, t]));
    for (const [id, task] of this.tasks) {
      const status = this.records.get(id)!.status;
      if (NOT_STARTED.has(status)) continue;
      if (!nextById.has(id)) throw new ControlError(`cannot remove task ${id}: it is ${status}`);
      if (JSON.stringify(nextById.get(id)) !== JSON.stringify(task)) throw new ControlError(`cannot change task ${id}: it is ${status}`);
    }
  }

  applyPatch(next: Plan): void {
    this.checkPatch(next);
    this.version++;
    const previous = this.records;
    const kept = new Map([...previous].filter(([id]) => next.tasks.some((t) => t.id === id)));
    this.records.clear();
    this.tasks = new Map();
    for (const task of next.tasks) {
      const old = kept.get(task.id);
      if (old && !NOT_STARTED.has(old.status)) {
        this.records.set(task.id, old);
        this.tasks.set(task.id, task);
      } else {
        this.addTask(task);
        if (old?.status === 'AwaitingApproval' && !task.requiresApproval) this.records.get(task.id)!.readyAt = old.readyAt;
      }
    }
  }

  private addTask(task: Task): void {
    this.tasks.set(task.id, task);
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
  }

  private skip(r: TaskRecord, cause: string, reason: string): void {
    r.status = 'Skipped';
    r.reason = reason;
    this.skippedBecause.set(r.id, cause);
  }

  private reopen(r: TaskRecord): void {
    r.status = 'Pending';
    for (const key of ['error', 'reason', 'readyAt', 'startedAt', 'finishedAt', 'durationMs', 'exitCode', 'truncated'] as const) delete r[key];
    this.skippedBecause.delete(r.id);
  }

  private finish(r: TaskRecord, now: number): void {
    delete r.activity;
    r.finishedAt = now;
    r.durationMs = r.startedAt === undefined ? 0 : now - r.startedAt;
  }

  private mustBeFor(action: string, id: string, allowed: TaskStatus[]): TaskRecord {
    const r = this.records.get(id);
    if (!r) throw new ControlError(`cannot ${action} ${id}: no such task`);
    if (!allowed.includes(r.status)) throw new ControlError(`cannot ${action} ${id}: it is ${r.status}`);
    return r;
  }

  private mustBe(id: string, allowed: TaskStatus[]): TaskRecord {
    const r = this.records.get(id);
    if (!r) throw new Error(`unknown task ${id}`);
    if (!allowed.includes(r.status)) throw new Error(`task ${id} is ${r.status}, expected ${allowed.join(' or ')}`);
    return r;
  }
}
