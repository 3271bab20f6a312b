// The state one orchestrate run shares between its phases and its message handlers: the task
// table, the phase, the plan decision, usage, the audit list and the running tasks' scopes.
// Workflow code: deterministic, no I/O.
import { setCurrentDetails, upsertSearchAttributes, type CancellationScope } from '@temporalio/workflow';
import type { Plan } from '../plan/schema';
import { statusTable } from '../report/statusTable';
import { DagentProgress, DagentStatus, DagentTokens } from '../run/searchAttributes';
import { TaskTable, type TableSnapshot } from '../run/taskTable';
import type { PagedRef } from '../text/pages';
import { addUsage, countStatuses, DONE_STATUSES, NO_USAGE, type AuditEntry, type RunPhase, type RunStatusView, type TaskRecord, type TaskStatus, type Usage } from '../run/types';

/** Above this many tasks, the Web UI's details are refreshed on a timer rather than at every step. */
const BIG_RUN_TASKS = 200;
/**
 * Above this many tasks, the live view (status query, Web UI details) lists the plan's own tasks
 * and the map items at work or in trouble, with counts for all: 10,000 rows would be megabytes
 * per query, and rendering them every few seconds would slow the run itself.
 */
export const LISTED_ITEMS_UP_TO = 1000;
/** The map items a big run's live view lists: those at work, waiting for a person, or in trouble. */
const LISTED_ITEM_STATUSES: ReadonlySet<TaskStatus> = new Set(['Running', 'Retrying', 'AwaitingApproval', 'Failed', 'Cancelled']);
const BIG_RUN_DETAILS_EVERY_MS = 2000;

/**
 * What a run hands to itself when it continues as new: the task table without outputs, and the
 * state around it. The plan itself travels as the new run's plan input.
 */
export interface CarriedState {
  startedAt: number;
  goal?: string;
  planBase: Omit<Plan, 'tasks'>;
  overheadUsage: Usage;
  audit: AuditEntry[];
  /** Request ids answered, with what they asked: a repeat after the hand-over gets the state as it is then. */
  answered: Array<[string, string]>;
  planCached?: boolean;
  budgetExceeded?: string;
  released?: boolean;
  table: TableSnapshot;
  /** How many runs came before this one in the chain. */
  continuedAsNew: number;
  /** The pages of full records of the completed map items the table carries compactly. */
  ledger?: PagedRef[];
}

export interface PlanDecision {
  approved: boolean;
  reason?: string;
}

export class RunState {
  phase: RunPhase = 'Planning';
  goal?: string;
  table?: TaskTable;
  /** Plan-wide fields (goal, maxParallel, failFast) kept when the tasks are patched. */
  planBase: Omit<Plan, 'tasks'> = {};
  planDecision?: PlanDecision;
  /** Usage outside the tasks: planning and aggregation. */
  overheadUsage: Usage = NO_USAGE;
  readonly audit: AuditEntry[] = [];
  readonly scopes = new Map<string, CancellationScope>();
  /** Answers already given, by requestId, with what was asked: a repeated request gets the same answer and no second effect. */
  readonly answered = new Map<string, { request: string; answer?: RunStatusView }>();
  /** Set by anything that may let the execute loop make progress. */
  changed = false;
  /** Resolves the execute loop's wait (see nextChange). */
  private woken?: () => void;
  /** The plan came from the decomposition cache. */
  planCached = false;
  /** An operator released a held run (or its hold timed out). */
  released = false;
  /** Runs before this one in its continue-as-new chain. */
  continuedAsNew = 0;
  /** Why the budget stopped the run, once it did. */
  budgetExceeded?: string;
  /** Pages in the result store with the full records of ledgered map items (see TaskTable.unledgered). */
  readonly ledger: PagedRef[] = [];
  /** Publish search attributes (only when the server has them registered). */
  publishSearchAttributes = false;
  private published = '';
  private detailsPhase?: RunPhase;
  private detailsAt = 0;

  /** A run continuing a chain whose state is still being read in: operator moves wait for it. */
  handingOver = false;

  constructor(readonly workflowId: string, public startedAt: number, goal?: string) {
    this.goal = goal;
  }

  startTable(plan: Plan): TaskTable {
    const { tasks: _tasks, ...base } = plan;
    this.planBase = base;
    this.goal = plan.goal ?? this.goal;
    this.table = new TaskTable(plan);
    return this.table;
  }

  /** The state to continue as new with. */
  carry(): CarriedState {
    return {
      startedAt: this.startedAt,
      ...(this.goal !== undefined ? { goal: this.goal } : {}),
      planBase: this.planBase,
      overheadUsage: this.overheadUsage,
      audit: [...this.audit],
      answered: [...this.answered].map(([id, a]) => [id, a.request]),
      ...(this.planCached ? { planCached: true } : {}),
      ...(this.budgetExceeded ? { budgetExceeded: this.budgetExceeded } : {}),
      ...(this.released ? { released: true } : {}),
      table: this.table!.snapshot(),
      continuedAsNew: this.continuedAsNew + 1,
      ...(this.ledger.length > 0 ? { ledger: [...this.ledger] } : {}),
    };
  }

  /** Takes over the state of the run it continues (this run's queries and updates are already answered from it). */
  resume(plan: Plan, carried: CarriedState): void {
    this.startedAt = carried.startedAt;
    this.goal = carried.goal;
    this.planBase = carried.planBase;
    this.overheadUsage = carried.overheadUsage;
    this.audit.push(...carried.audit);
    for (const [id, request] of carried.answered) this.answered.set(id, { request });
    this.planCached = carried.planCached ?? false;
    if (carried.budgetExceeded) this.budgetExceeded = carried.budgetExceeded;
    this.released = carried.released ?? false;
    this.continuedAsNew = carried.continuedAsNew;
    this.ledger.push(...(carried.ledger ?? []));
    this.table = TaskTable.restore(plan, carried.table);
    this.phase = 'Running';
    this.handingOver = false;
  }

  plan(): Plan | undefined {
    return this.table?.plan(this.planBase);
  }

  usage(): Usage {
    return addUsage(this.overheadUsage, this.table?.usage());
  }

  view(): RunStatusView {
    // Copies: a query's answer must not share objects with the table.
    const tasks = this.listed().map((r) => ({ ...withoutOutput(r), dependsOn: [...r.dependsOn] }));
    return {
      workflowId: this.workflowId,
      phase: this.phase,
      goal: this.goal,
      startedAt: this.startedAt,
      counts: this.table ? this.table.counts() : countStatuses(tasks),
      tasks,
      usage: this.usage(),
      audit: [...this.audit],
      ...(this.planCached ? { planCached: true } : {}),
      ...(this.budgetExceeded ? { budgetExceeded: this.budgetExceeded } : {}),
    };
  }

  record(entry: Omit<AuditEntry, 'at'>, now: number): void {
    this.audit.push({ at: now, ...entry });
    this.wake();
    // An operator's move can come while no loop step follows (during plan approval).
    this.showDetails();
  }

  wake(): void {
    this.changed = true;
    const woken = this.woken;
    this.woken = undefined;
    woken?.();
  }

  /**
   * Resolves at the next wake (at once if there was one since `changed` was reset). The execute
   * loop waits on this rather than on `condition(() => changed)`: a condition costs the SDK an
   * extra pass into the workflow's sandbox and five promises per step, each with a recorded stack,
   * which was a third of dagent's own part of a chain hop.
   */
  nextChange(): Promise<void> {
    if (this.changed) return Promise.resolve();
    return new Promise((resolve) => {
      this.woken = resolve;
    });
  }

  /**
   * Shows the run's state outside: the current details on the Web UI's run page, and the search
   * attributes when they changed. Called once per step of the run, never from a query.
   */
  publish(): void {
    this.showDetails();
    if (!this.publishSearchAttributes) return;
    const counts = this.table?.counts();
    const total = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : 0;
    const done = counts ? [...DONE_STATUSES].reduce((n, s) => n + counts[s], 0) : 0;
    const usage = this.usage();
    const values = { status: this.phase, progress: total ? Math.floor((100 * done) / total) : 0, tokens: usage.inputTokens + usage.outputTokens };
    const key = JSON.stringify(values);
    if (key === this.published) return;
    this.published = key;
    upsertSearchAttributes([
      { key: DagentStatus, value: values.status },
      { key: DagentProgress, value: values.progress },
      { key: DagentTokens, value: values.tokens },
    ]);
  }

  /**
   * The Web UI's details: the status table. A big run's table is rendered at most every
   * BIG_RUN_DETAILS_EVERY_MS of workflow time (and at every phase change): rendering 10,000 rows
   * at every step would cost more than the step.
   */
  private showDetails(): void {
    if (!this.table) return;
    const now = Date.now();
    const big = this.table.size() > BIG_RUN_TASKS;
    if (big && this.phase === this.detailsPhase && now - this.detailsAt < BIG_RUN_DETAILS_EVERY_MS) return;
    this.detailsPhase = this.phase;
    this.detailsAt = now;
    const listed = this.listed();
    const unlisted = this.table.size() - listed.length;
    setCurrentDetails(`**${this.phase}**\n\n${statusTable(listed)}${unlisted > 0 ? `\n\n${unlisted} map items not listed (not started, or done): see the counts` : ''}`);
  }

  /**
   * The records the live view lists (the table's own, not copies: read them only): all of them,
   * or past LISTED_ITEMS_UP_TO, the plan's tasks and the map items at work or in trouble.
   */
  private listed(): Array<Readonly<TaskRecord>> {
    const table = this.table;
    if (!table) return [];
    if (table.size() <= LISTED_ITEMS_UP_TO) return [...table.view()];
    const listed: Array<Readonly<TaskRecord>> = [];
    for (const r of table.view()) if (table.mapOfTask(r.id) === undefined || LISTED_ITEM_STATUSES.has(r.status)) listed.push(r);
    return listed;
  }
}

export function withoutOutput(record: TaskRecord): TaskRecord {
  const { output: _output, ...rest } = record;
  return rest;
}
