// The live task table of one run: one record per task and the one place where a task's status
// changes (`move`, checked against the state machine in taskTransitions.ts). Everything the
// scheduler asks per workflow activation is kept up to date as tasks move, not recomputed: the
// counts by status, the ready queue, the tasks whose dependencies changed. So a step costs
// about what changed in it, and a 10,000-task run stays as quick per step as a 10-task one.
// Operator moves (approve, reject, skip, cancel, retry, patch) each have a check that throws a
// ControlError and changes nothing, so an update validator can refuse it. Pure and
// deterministic: the workflow owns one, the status query reads it.
import type { AgentProgressNotice } from './agentTypes';
import type { Plan, Task } from '../plan/schema';
import { expandMapTask, mapItemId, mapItemOf } from '../plan/expandMap';
import { compactItems, inflateItem, isCompactable, type CompactItems } from './compactItems';
import { ReadyQueue } from './readyQueue';
import { canMove } from './taskTransitions';
import { addUsage, DONE_STATUSES, NO_USAGE, OUTPUT_READY, TASK_STATUSES, type ReusableOutput, type Usage, type TaskAttemptNotice, type TaskOutcome, type TaskRecord, type TaskStatus } from './types';

const ACTIVE: ReadonlySet<TaskStatus> = new Set(['Running', 'Retrying']);
const NOT_STARTED: ReadonlySet<TaskStatus> = new Set(['Pending', 'Waiting', 'AwaitingApproval']);
/** Not started and nothing to remember: a map item in these states is made anew on restore. */
const NOT_YET: ReadonlySet<TaskStatus> = new Set(['Pending', 'Waiting']);
const OPEN: ReadonlySet<TaskStatus> = new Set([...NOT_STARTED, ...ACTIVE]);
const DEAD_END: ReadonlySet<TaskStatus> = new Set(['Failed', 'Skipped', 'Cancelled']);

/** An operator move that does not fit the run's state; the run is left exactly as it was. */
export class ControlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControlError';
  }
}

interface Entry {
  task: Task;
  record: TaskRecord;
  /** Position in the plan: ties start in plan order. */
  index: number;
  /** Tasks that depend on this one. */
  dependents: string[];
}

/** What a table is, for a run that continues as new: records (no outputs), map items, counters. */
export interface TableSnapshot {
  /** Every record in full but the completed map items that went to the ledger. */
  records: TaskRecord[];
  /** Each expanded map's items as found: expanded again on restore, into the same tasks. */
  maps: Array<[string, unknown[]]>;
  /** The ledgered completed items, compactly (their full records are in the ledger). */
  items?: CompactItems;
  earlierAttempts: Array<[string, number]>;
  starts: Array<[string, number]>;
  skippedBecause: Array<[string, string]>;
  version: number;
}

export class TaskTable {
  private entries = new Map<string, Entry>();
  private statusCounts = zeroCounts();
  /** Pending tasks to look at again: their dependencies changed (or they were just added). */
  private readonly dirty = new Set<string>();
  private readonly approvals = new Set<string>();
  private queue: ReadyQueue;
  /** The start order the queue is sorted by (undefined: plan order). */
  private queueOrder: ReadonlyMap<string, number> | undefined;
  /** Attempts made by earlier runs of a task that an operator retried. */
  private readonly earlierAttempts = new Map<string, number>();
  /** How many times each task was started, for unique activity ids. */
  private readonly starts = new Map<string, number>();
  /** For a Skipped task, the failed or rejected task that caused it. */
  private readonly skippedBecause = new Map<string, string>();
  /** Counts patches: whatever was worked out from the plan's shape is stale once it changes. */
  private version = 0;
  /** Tasks looked at by promoteReady, for the scale test's operation counts. */
  private evaluations = 0;
  /** The usage of the completed tasks, summed as they complete. */
  private usageSum: Usage = NO_USAGE;
  /** Each expanded map's item tasks, in item order (they follow the map in the table). */
  private readonly maps = new Map<string, Task[]>();
  /** Each expanded map's items as found, from which its item tasks were made. */
  private readonly mapSources = new Map<string, unknown[]>();
  /**
   * Completed items whose full records are in the run's ledger (the result store): a run that
   * continues as new carries them compactly. An item that runs again leaves the set.
   */
  private readonly ledgered = new Set<string>();
  /** Which map each item task belongs to. */
  private readonly mapOf = new Map<string, string>();
  /** Per expanded map, how many of its items have not ended: a map ends when this reaches 0. */
  private readonly openItems = new Map<string, number>();

  constructor(plan: Plan) {
    this.queue = this.newQueue(undefined);
    this.build(plan.tasks, new Map());
  }

  snapshot(): TableSnapshot {
    const records: TaskRecord[] = [];
    const byMap = new Map<string, Array<{ index: number; record: TaskRecord }>>();
    for (const { record } of this.entries.values()) {
      const { output: _output, ...r } = record;
      const map = this.mapOf.get(r.id);
      if (map !== undefined && this.ledgered.has(r.id)) {
        const items = byMap.get(map) ?? [];
        items.push({ index: mapItemOf(r.id)!.index, record: r });
        byMap.set(map, items);
      } else if (map === undefined || !NOT_YET.has(r.status)) records.push(r);
      // An item not yet started is left out: restored, it is made again from its task (and is
      // ready again at once if it was: only its readyAt moves to the new run's start).
    }
    return {
      records,
      maps: [...this.mapSources],
      ...(byMap.size > 0 ? { items: compactItems(byMap) } : {}),
      earlierAttempts: [...this.earlierAttempts],
      // A task started once that has a start time is restored as started once: 10,000 items, 140 KB less.
      starts: [...this.starts].filter(([id, n]) => n !== 1 || this.entries.get(id)?.record.startedAt === undefined),
      skippedBecause: [...this.skippedBecause],
      version: this.version,
    };
  }

  /** The table a run had when it continued as new: every record as it was, readiness and waits included. */
  static restore(plan: Plan, snapshot: TableSnapshot): TaskTable {
    const table = new TaskTable({ tasks: [] });
    const planTasks = new Map(plan.tasks.map((t) => [t.id, t]));
    for (const [mapId, source] of snapshot.maps) {
      // Runs carried before maps were carried by their items held the item tasks themselves.
      const asTasks = source.every((t, i) => (t as Task | null)?.id === mapItemId(mapId, i));
      table.setItems(mapId, source, asTasks ? (source as Task[]) : expandMapTask(planTasks.get(mapId)!, source));
    }
    for (const [id, n] of snapshot.earlierAttempts) table.earlierAttempts.set(id, n);
    for (const [id, n] of snapshot.starts) table.starts.set(id, n);
    for (const [id, cause] of snapshot.skippedBecause) table.skippedBecause.set(id, cause);
    table.version = snapshot.version;
    const records = new Map(snapshot.records.map((r) => [r.id, r]));
    for (const [mapId, rows] of snapshot.items?.maps ?? []) {
      const tasks = table.maps.get(mapId)!;
      for (const row of rows) {
        const record = inflateItem(row, tasks[row[0]!]!, snapshot.items!);
        records.set(record.id, record);
        table.ledgered.add(record.id);
      }
    }
    table.build(plan.tasks, records, true);
    for (const { record } of table.entries.values()) if (record.startedAt !== undefined && !table.starts.has(record.id)) table.starts.set(record.id, 1);
    return table;
  }

  /**
   * Completed map items whose full records are not yet in the ledger and could be carried
   * compactly: the caller files these records, then calls markLedgered with their ids.
   */
  unledgered(): TaskRecord[] {
    const due: TaskRecord[] = [];
    for (const { record } of this.entries.values()) {
      if (this.mapOf.has(record.id) && !this.ledgered.has(record.id) && isCompactable(record)) {
        const { output: _output, ...r } = record;
        due.push({ ...r, dependsOn: [...r.dependsOn] });
      }
    }
    return due;
  }

  markLedgered(ids: readonly string[]): void {
    for (const id of ids) if (this.mapOf.has(id) && isCompactable(this.entries.get(id)!.record)) this.ledgered.add(id);
  }

  /** Whether a task's full record is in the ledger (the table's own is then compact). */
  isLedgered(id: string): boolean {
    return this.ledgered.has(id);
  }

  /** The plan as written (and patched): a map's item tasks are the map's, not the plan's. */
  plan(base: Omit<Plan, 'tasks'> = {}): Plan {
    return { ...base, tasks: [...this.entries.values()].filter((e) => !this.mapOf.has(e.record.id)).map((e) => e.task) };
  }

  /**
   * A running map task's items become tasks of their own, right after it, and it waits for them
   * without taking a slot. Expanded again (after the map was retried), the items that completed
   * keep their outputs and the rest run again.
   */
  expandMap(mapId: string, source: readonly unknown[]): void {
    this.mustBe(mapId, ['Running']);
    const kept = new Map<string, TaskRecord>();
    for (const [id, e] of this.entries) if (!this.mapOf.has(id) || OUTPUT_READY.has(e.record.status)) kept.set(id, e.record);
    for (const old of this.maps.get(mapId) ?? []) {
      this.mapOf.delete(old.id);
      if (!kept.has(old.id)) this.ledgered.delete(old.id);
    }
    this.setItems(mapId, [...source], expandMapTask(this.task(mapId), source));
    this.version++;
    this.build(this.plan().tasks, kept);
  }

  private setItems(mapId: string, source: unknown[], items: Task[]): void {
    this.mapSources.set(mapId, source);
    this.maps.set(mapId, items);
    for (const item of items) this.mapOf.set(item.id, mapId);
  }

  /** The map a task is an item of, if any. */
  mapOfTask(id: string): string | undefined {
    return this.mapOf.get(id);
  }

  /** Expanded maps still waiting for their items. */
  openMaps(): string[] {
    return [...this.maps.keys()].filter((id) => ACTIVE.has(this.entries.get(id)?.record.status as TaskStatus));
  }

  mapItemIds(mapId: string): string[] {
    return (this.maps.get(mapId) ?? []).map((t) => t.id);
  }

  /** Expanded maps still running whose items have all ended (kept up to date as items move). */
  mapsToEnd(): string[] {
    return this.openMaps().filter((id) => this.openItems.get(id) === 0);
  }

  task(id: string): Task {
    return this.entries.get(id)!.task;
  }

  get(id: string): TaskRecord | undefined {
    return this.entries.get(id)?.record;
  }

  /** Copies, in plan order, so callers cannot change the table behind its back. */
  list(): TaskRecord[] {
    return [...this.entries.values()].map(({ record: r }) => ({ ...r, dependsOn: [...r.dependsOn] }));
  }

  /** The records themselves, in plan order, for reading without copying them. */
  *view(): Iterable<Readonly<TaskRecord>> {
    for (const e of this.entries.values()) yield e.record;
  }

  size(): number {
    return this.entries.size;
  }

  counts(): Record<TaskStatus, number> {
    return { ...this.statusCounts };
  }

  /** What the scheduler's bookkeeping has cost so far: tasks looked at, and ready-queue steps. */
  operations(): { evaluations: number; queueSteps: number } {
    return { evaluations: this.evaluations, queueSteps: this.queue.steps };
  }

  /** What the tasks used so far (completed tasks; a reused task used nothing). */
  usage(): Usage {
    return this.usageSum;
  }

  /** Tasks holding a slot: running ones, but not a map waiting for its items (they hold their own). */
  activeCount(): number {
    return this.statusCounts.Running + this.statusCounts.Retrying - this.openMaps().length;
  }

  isFinished(): boolean {
    const c = this.statusCounts;
    return c.Pending + c.Waiting + c.AwaitingApproval + c.Running + c.Retrying === 0;
  }

  awaitingApproval(): TaskRecord[] {
    return this.inPlanOrder(this.approvals).map((id) => this.entries.get(id)!.record);
  }

  planVersion(): number {
    return this.version;
  }

  waitingCount(): number {
    return this.statusCounts.Waiting;
  }

  failedCount(): number {
    return this.statusCounts.Failed;
  }

  startNumber(id: string): number {
    return this.starts.get(id) ?? 0;
  }

  /**
   * Pending tasks whose dependencies all have outputs become Waiting (or AwaitingApproval),
   * stamped with readyAt; Pending tasks behind a failed, skipped or cancelled dependency become
   * Skipped. Only tasks whose dependencies changed are looked at.
   */
  promoteReady(now: number): void {
    while (this.dirty.size > 0) {
      const batch = this.inPlanOrder(this.dirty);
      this.dirty.clear();
      for (const id of batch) {
        const r = this.entries.get(id)!.record;
        if (r.status !== 'Pending') continue;
        this.evaluations++;
        const blocked = r.dependsOn.map((d) => this.entries.get(d)!.record).find((d) => DEAD_END.has(d.status));
        if (blocked) {
          const root = this.skippedBecause.get(blocked.id) ?? blocked.id;
          this.skip(r, root, `dependency ${root} ${this.entries.get(root)!.record.status.toLowerCase()}`);
        } else if (r.dependsOn.every((d) => OUTPUT_READY.has(this.entries.get(d)!.record.status))) {
          this.move(r, this.entries.get(id)!.task.requiresApproval ? 'AwaitingApproval' : 'Waiting');
          r.readyAt = now;
        }
      }
    }
  }

  /**
   * The Waiting tasks to start now, at most the free slots: with `priority`, the highest first
   * (critical-path-first), ties in plan order; without, in plan order. Changes nothing.
   */
  nextToStart(maxParallel: number, priority?: ReadonlyMap<string, number>): string[] {
    const free = maxParallel - this.activeCount();
    if (free <= 0 || this.statusCounts.Waiting === 0) return [];
    if (priority !== this.queueOrder) {
      // A new start order (the plan changed): the queue is sorted anew, once.
      this.queue = this.newQueue(priority);
      for (const e of this.entries.values()) if (e.record.status === 'Waiting') this.queue.push(e.record.id);
    }
    return this.queue.peek(free, (id) => this.entries.get(id)?.record.status === 'Waiting');
  }

  /** `queue`: the skill queue's task queue the work goes to, when not the run's own; `reuseKey`: what its result depends on. */
  markRunning(id: string, now: number, queue?: string, reuseKey?: string): void {
    const r = this.mustBe(id, ['Waiting']);
    this.move(r, 'Running');
    r.startedAt = now;
    if (queue !== undefined) r.queue = queue;
    else delete r.queue;
    if (reuseKey !== undefined) r.reuseKey = reuseKey;
    r.attempts = 0;
    this.countAttempts(r, 1);
    this.starts.set(id, this.startNumber(id) + 1);
  }

  /** A retry notice from the activity; stale or unknown notices are ignored, never applied. */
  noteAttempt(notice: TaskAttemptNotice): void {
    const r = this.entries.get(notice?.taskId)?.record;
    if (!r || !ACTIVE.has(r.status) || !Number.isInteger(notice.attempt)) return;
    this.countAttempts(r, notice.attempt);
    if (notice.error) r.error = String(notice.error).slice(0, 2000);
    if (notice.attempt > 1 || notice.error) this.move(r, 'Retrying');
  }

  markCompleted(id: string, outcome: TaskOutcome, now: number): void {
    const r = this.mustBe(id, [...ACTIVE]);
    this.move(r, 'Completed');
    this.countAttempts(r, outcome.attempt);
    r.error = undefined;
    this.finish(r, now);
    Object.assign(r, { outputRef: outcome.outputRef, output: outcome.output, preview: outcome.preview, outputBytes: outcome.outputBytes, usage: outcome.usage });
    this.usageSum = addUsage(this.usageSum, outcome.usage);
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
    this.move(r, 'Reused');
    Object.assign(r, { reuseKey: earlier.reuseKey, outputRef: earlier.outputRef, outputHash: earlier.outputHash, preview: earlier.preview, outputBytes: earlier.outputBytes, reusedFrom: earlier.workflowId });
    if (earlier.model !== undefined) r.model = earlier.model;
    if (earlier.truncated) r.truncated = true;
  }

  /** What a running agent task is doing now, for the live table; ignored for any other task. */
  noteActivity(notice: AgentProgressNotice): void {
    const r = this.entries.get(notice?.taskId)?.record;
    if (!r || !ACTIVE.has(r.status) || typeof notice.activity !== 'string') return;
    r.activity = notice.activity.slice(0, 200);
  }

  /** A budget is spent: nothing else starts; what runs may finish. */
  skipNotStarted(reason: string): string[] {
    const skipped: string[] = [];
    for (const { record: r } of this.entries.values()) {
      if (!NOT_STARTED.has(r.status)) continue;
      this.move(r, 'Skipped');
      r.reason = reason;
      skipped.push(r.id);
    }
    return skipped;
  }

  /** Marks the task Failed; its dependents become Skipped at the next promoteReady. */
  markFailed(id: string, error: string, attempts: number, now: number, exitCode?: number): void {
    const r = this.mustBe(id, [...ACTIVE]);
    this.move(r, 'Failed');
    r.error = error;
    this.countAttempts(r, attempts);
    if (exitCode !== undefined) r.exitCode = exitCode;
    this.finish(r, now);
  }

  /** failFast, a critical failure or a cancelled run: running tasks Cancelled, the rest Skipped. */
  stopAll(reason: string, now: number): string[] {
    const cancelled: string[] = [];
    for (const { record: r } of this.entries.values()) {
      if (ACTIVE.has(r.status)) {
        this.move(r, 'Cancelled');
        r.reason = reason;
        this.finish(r, now);
        cancelled.push(r.id);
      } else if (NOT_STARTED.has(r.status)) {
        this.move(r, 'Skipped');
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
    this.move(this.entries.get(id)!.record, 'Waiting');
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
    this.skip(this.entries.get(id)!.record, id, reason);
  }

  checkCancel(id: string): void {
    this.mustBeFor('cancel', id, [...OPEN]);
  }

  /** Returns whether the task was running (its activity must then be cancelled). */
  cancelByOperator(id: string, reason: string, now: number): boolean {
    this.checkCancel(id);
    const r = this.entries.get(id)!.record;
    const wasRunning = ACTIVE.has(r.status);
    this.move(r, 'Cancelled');
    r.reason = reason;
    if (wasRunning) this.finish(r, now);
    return wasRunning;
  }

  checkRetry(id: string): void {
    this.mustBeFor('retry', id, ['Failed', 'Cancelled']);
    const map = this.mapOf.get(id);
    if (map !== undefined && !ACTIVE.has(this.entries.get(map)!.record.status)) {
      throw new ControlError(`cannot retry ${id}: its map ${map} has ended; retry ${map} (its items that did not complete run again)`);
    }
  }

  /** A failed or cancelled task runs again (with a new prompt if given); what it held back returns to Pending. */
  retry(id: string, prompt?: string): string[] {
    this.checkRetry(id);
    const entry = this.entries.get(id)!;
    this.earlierAttempts.set(id, entry.record.attempts);
    if (prompt !== undefined) entry.task = { ...entry.task, prompt };
    this.reopen(entry.record);
    const reopened = [id];
    for (const [skipped, cause] of [...this.skippedBecause]) {
      if (cause !== id || skipped === id) continue;
      this.reopen(this.entries.get(skipped)!.record);
      reopened.push(skipped);
    }
    return reopened;
  }

  /** A patched plan may change only tasks that have not started, and may not drop a started one. */
  checkPatch(next: Plan): void {
    const nextById = new Map(next.tasks.map((t) => [t.id, t]));
    for (const [id, { task, record }] of this.entries) {
      // A map's items come and go with their map.
      if (NOT_STARTED.has(record.status) || this.mapOf.has(id)) continue;
      if (!nextById.has(id)) throw new ControlError(`cannot remove task ${id}: it is ${record.status}`);
      if (JSON.stringify(nextById.get(id)) !== JSON.stringify(task)) throw new ControlError(`cannot change task ${id}: it is ${record.status}`);
    }
  }

  applyPatch(next: Plan): void {
    this.checkPatch(next);
    this.version++;
    this.build(next.tasks, new Map([...this.entries].map(([id, e]) => [id, e.record])));
  }

  /** (Re)builds the table from the plan's tasks (each expanded map followed by its items): started tasks keep their records, the rest start Pending. */
  private build(planTasks: readonly Task[], previous: ReadonlyMap<string, TaskRecord>, everyRecord = false): void {
    const tasks = planTasks.flatMap((t) => [t, ...(this.maps.get(t.id) ?? [])]);
    this.entries = new Map();
    this.statusCounts = zeroCounts();
    this.usageSum = NO_USAGE;
    this.dirty.clear();
    this.approvals.clear();
    tasks.forEach((task, index) => {
      const old = previous.get(task.id);
      const record = old && (everyRecord || !NOT_STARTED.has(old.status)) ? old : freshRecord(task);
      if (record !== old && old?.status === 'AwaitingApproval' && !task.requiresApproval) record.readyAt = old.readyAt;
      this.entries.set(task.id, { task, record, index, dependents: [] });
      this.statusCounts[record.status]++;
      this.usageSum = addUsage(this.usageSum, record.usage);
      if (record.status === 'Pending') this.dirty.add(task.id);
      if (record.status === 'AwaitingApproval') this.approvals.add(task.id);
    });
    for (const e of this.entries.values()) for (const d of e.record.dependsOn) this.entries.get(d)?.dependents.push(e.record.id);
    this.openItems.clear();
    for (const [mapId, items] of this.maps) this.openItems.set(mapId, items.filter((t) => !DONE_STATUSES.has(this.entries.get(t.id)?.record.status ?? 'Pending')).length);
    this.queue = this.newQueue(undefined);
    this.queueOrder = undefined;
    for (const e of this.entries.values()) if (e.record.status === 'Waiting') this.queue.push(e.record.id);
  }

  /** The one place a task's status changes: checked, counted, and its consequences queued. */
  private move(r: TaskRecord, to: TaskStatus): void {
    const from = r.status;
    if (from === to) return;
    if (!canMove(from, to)) throw new Error(`task ${r.id} cannot move from ${from} to ${to}`);
    r.status = to;
    // An item that runs again gets a new record: the ledger's is no longer the last word.
    if (OUTPUT_READY.has(from)) this.ledgered.delete(r.id);
    this.statusCounts[from]--;
    this.statusCounts[to]++;
    const map = this.mapOf.get(r.id);
    if (map !== undefined && DONE_STATUSES.has(from) !== DONE_STATUSES.has(to)) this.openItems.set(map, (this.openItems.get(map) ?? 0) + (DONE_STATUSES.has(to) ? -1 : 1));
    if (from === 'AwaitingApproval') this.approvals.delete(r.id);
    if (to === 'AwaitingApproval') this.approvals.add(r.id);
    if (to === 'Waiting') this.queue.push(r.id);
    if (to === 'Pending') this.dirty.add(r.id);
    // A task that finished or dead-ended changes what its dependents can do.
    if (OUTPUT_READY.has(to) || DEAD_END.has(to)) for (const d of this.entries.get(r.id)!.dependents) this.dirty.add(d);
  }

  /** Attempts are counted here only: this start's attempt number on top of earlier runs' attempts. */
  private countAttempts(r: TaskRecord, attemptOfThisStart: number): void {
    r.attempts = Math.max(r.attempts, (this.earlierAttempts.get(r.id) ?? 0) + attemptOfThisStart);
  }

  private skip(r: TaskRecord, cause: string, reason: string): void {
    this.move(r, 'Skipped');
    r.reason = reason;
    this.skippedBecause.set(r.id, cause);
  }

  private reopen(r: TaskRecord): void {
    for (const key of ['error', 'reason', 'readyAt', 'startedAt', 'finishedAt', 'durationMs', 'exitCode', 'truncated'] as const) delete r[key];
    this.skippedBecause.delete(r.id);
    this.move(r, 'Pending');
  }

  private finish(r: TaskRecord, now: number): void {
    delete r.activity;
    r.finishedAt = now;
    r.durationMs = r.startedAt === undefined ? 0 : now - r.startedAt;
  }

  private newQueue(priority: ReadonlyMap<string, number> | undefined): ReadyQueue {
    this.queueOrder = priority;
    const index = (id: string) => this.entries.get(id)?.index ?? Number.MAX_SAFE_INTEGER;
    return new ReadyQueue((a, b) => {
      const pa = priority?.get(a) ?? 0;
      const pb = priority?.get(b) ?? 0;
      return pa !== pb ? pa > pb : index(a) < index(b);
    });
  }

  private inPlanOrder(ids: Iterable<string>): string[] {
    return [...ids].sort((a, b) => this.entries.get(a)!.index - this.entries.get(b)!.index);
  }

  private mustBeFor(action: string, id: string, allowed: TaskStatus[]): TaskRecord {
    const r = this.entries.get(id)?.record;
    if (!r) throw new ControlError(`cannot ${action} ${id}: no such task`);
    if (!allowed.includes(r.status)) throw new ControlError(`cannot ${action} ${id}: it is ${r.status}`);
    return r;
  }

  private mustBe(id: string, allowed: TaskStatus[]): TaskRecord {
    const r = this.entries.get(id)?.record;
    if (!r) throw new Error(`unknown task ${id}`);
    if (!allowed.includes(r.status)) throw new Error(`task ${id} is ${r.status}, expected ${allowed.join(' or ')}`);
    return r;
  }
}

function zeroCounts(): Record<TaskStatus, number> {
  return Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
}

function freshRecord(task: Task): TaskRecord {
  return {
    id: task.id,
    title: task.title,
    backend: task.backend ?? 'anthropic',
    status: 'Pending',
    attempts: 0,
    dependsOn: task.dependsOn ?? [],
    ...(task.tags ? { tags: task.tags } : {}),
    ...(task.meta ? { meta: task.meta } : {}),
  };
}
