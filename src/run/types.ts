// Shapes of a run as seen from outside: the live task table, activity results and the RunResult.
// Pure types, shared by the workflow, the activities and the CLI.
import type { Plan, RunOptions, Task } from '../plan/schema';
import type { PagedRef } from '../text/pages';

export const TASK_STATUSES = ['Pending', 'AwaitingApproval', 'Waiting', 'Running', 'Retrying', 'Completed', 'Reused', 'Failed', 'Skipped', 'Cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
/** A task whose output its dependents can use: it ran to completion, or an earlier run's output was reused. */
export const OUTPUT_READY: ReadonlySet<TaskStatus> = new Set(['Completed', 'Reused']);
/** Finished, one way or another. */
export const DONE_STATUSES: ReadonlySet<TaskStatus> = new Set(['Completed', 'Reused', 'Failed', 'Skipped', 'Cancelled']);

/** Held: a task failed for good and the run waits (holdOnFailure) for retry, skip, patch or release. */
export type RunPhase = 'Planning' | 'AwaitingApproval' | 'Running' | 'Held' | 'Aggregating' | RunOutcome;
export type RunOutcome = 'Completed' | 'Failed' | 'Cancelled' | 'Rejected' | 'BudgetExceeded';

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens read from Anthropic's prompt cache (billed at a fraction). */
  cacheReadTokens?: number;
  /** Prompt tokens written to the cache. */
  cacheWriteTokens?: number;
  /** Estimated or reported cost in US dollars. */
  costUsd?: number;
}

export interface TaskRecord {
  id: string;
  title: string;
  backend: string;
  status: TaskStatus;
  attempts: number;
  dependsOn: string[];
  /** Workflow-clock epoch ms; absent until it happened. */
  readyAt?: number;
  startedAt?: number;
  finishedAt?: number;
  durationMs?: number;
  /** Full output: never in history (read it through outputRef); filled in by clients that read the store. */
  output?: string;
  outputRef?: string;
  preview?: string;
  outputBytes?: number;
  /** SHA-256 of the output (hex, 32 digits): a dependent's reuse key is built from it. */
  outputHash?: string;
  /** What the task's result depends on (its spec, model and its inputs' hashes): equal keys, reusable output. */
  reuseKey?: string;
  /** Reused: the run whose output this is. */
  reusedFrom?: string;
  error?: string;
  /** Why a task was Skipped or Cancelled. */
  reason?: string;
  usage?: Usage;
  /** The model the task ran on, where known. */
  model?: string;
  exitCode?: number;
  costUsd?: number;
  /** The output was cut (capture cap of a process, or the model's token limit); the output ends with a marker saying so. */
  truncated?: true;
  /** An agent task: the files it read (for the report). */
  filesRead?: string[];
  /** An agent task at work: `turn 4 · read_file src/x.ts`. */
  activity?: string;
  /** The Temporal task queue of the task's skill queue (`dagent-gpu`), when it has one. */
  queue?: string;
  /** Set by the client, not the workflow: the task queue its work has waited on, untaken, past the threshold. */
  waitingFor?: string;
  /** Passed through from the plan. */
  tags?: string[];
  meta?: Record<string, unknown>;
}

export interface RunStats {
  totalTasks: number;
  completed: number;
  /** Taken from an earlier run instead of run again (absent in results from before reuse). */
  reused?: number;
  failed: number;
  skipped: number;
  cancelled: number;
  serialMs: number;
  makespanMs: number;
  criticalPathMs: number;
  criticalPath: string[];
  speedup: number;
}

/** What the `status` query returns at any moment. */
export interface RunStatusView {
  workflowId: string;
  phase: RunPhase;
  goal?: string;
  /** Workflow start, epoch ms: elapsed time is now minus this. */
  startedAt: number;
  counts: Record<TaskStatus, number>;
  tasks: TaskRecord[];
  usage: Usage;
  audit: AuditEntry[];
}

/** One operator action, as recorded in the run's audit list. */
export interface AuditEntry {
  at: number;
  requestId: string;
  action: 'approve' | 'reject' | 'patch' | 'retry' | 'skip' | 'cancel' | 'release';
  taskId?: string;
  reason?: string;
  /** What the action changed, in words. */
  effect: string;
}

export interface RunResult {
  workflowId: string;
  status: RunOutcome;
  goal?: string;
  plan: Plan;
  /** Every task's record; for a big run (over 1,000 tasks, or one that continued as new), all but its completed map items, which are in taskPages. */
  tasks: TaskRecord[];
  /**
   * A big run's completed map items, as pages of JSON arrays of records in the result store
   * (the run's ledger); a later page's record of a task replaces an earlier one's, and `tasks`
   * replaces both. readRunTasks (store/runTasks.ts) gives the whole list in plan order.
   */
  taskPages?: PagedRef[];
  report: string;
  reportRef?: string;
  stats: RunStats;
  usage: Usage;
  audit: AuditEntry[];
  /** The plan came from the decomposition cache. */
  planCached?: boolean;
  /** Why the budget stopped the run. */
  budgetExceeded?: string;
  /** How many times the run continued as new (its history kept bounded). */
  continuedAsNew?: number;
  /** The run this one reused outputs from (rerun), and the options it ran with (so it can be rerun). */
  reusedFrom?: string;
  options?: RunOptions;
}

/** An earlier output a task can take instead of running: from the run being rerun, or the cross-run cache. */
export interface ReusableOutput {
  taskId: string;
  reuseKey: string;
  outputRef: string;
  outputHash: string;
  preview: string;
  outputBytes: number;
  model?: string;
  truncated?: true;
  /** The run that produced it. */
  workflowId: string;
}

/**
 * How an LLM call rides out provider trouble (429, 529, 5xx, unreachable): retried inside the
 * attempt for `retryForMs` (the run's providerRetryFor), first waiting `backoffMs` (its
 * retryInitialInterval), without using up the task's retries.
 */
export interface Patience {
  retryForMs: number;
  backoffMs: number;
  /** One call's wait for the API's first byte: the task's timeout (the worker's request timeout when shorter). */
  callTimeoutMs?: number;
}

/** An upstream output handed to a task: by reference, so activity inputs stay small. */
export interface UpstreamOutput {
  id: string;
  title: string;
  outputRef: string;
  /** The output's hash as its task reported it: a copy of the output this worker holds in memory is used only if it matches. */
  outputHash?: string;
}

export interface RunTaskInput {
  goal?: string;
  /** A long goal, stored once in the result store instead of travelling with every task. */
  goalRef?: PagedRef;
  task: Task;
  model?: string;
  upstream: UpstreamOutput[];
  prices?: PriceTable;
  /** Goals of the runs above this one, root first (sub-plans). */
  ancestors?: string[];
  /** Outputs a parent run handed down to this sub-plan (context "fork"). */
  inherited?: UpstreamOutput[];
  /** Absent in runs that began before provider retries: the defaults apply. */
  patience?: Patience;
  /** When set, the output is also filed under this key for the cross-run cache (`reuse`). */
  reuseKey?: string;
}

export interface TaskOutcome {
  outputRef: string;
  output?: string;
  preview: string;
  outputBytes: number;
  /** SHA-256 of the output; absent from activities of older workers. */
  outputHash?: string;
  usage: Usage;
  attempt: number;
  truncated: boolean;
  /** For process backends (AI CLIs and shell). */
  exitCode?: number;
  model?: string;
  /** An agent task: the files it read. */
  filesRead?: string[];
}

export interface DecomposeInput {
  goal: string;
  model?: string;
  maxTasks: number;
  allowShell: boolean;
  allowWrites: boolean;
  /** Reuse the last plan made for the same goal, options and model. */
  useCache?: boolean;
  prices?: PriceTable;
  ancestors?: string[];
  inherited?: UpstreamOutput[];
  /** The run's workspace, summarised by describeWorkspace: the planner plans with real paths. */
  workspace?: WorkspaceSummary;
  patience?: Patience;
}

export interface WorkspaceSummary {
  /** The folder on the workers. */
  root: string;
  /** The summary text in the result store. */
  summaryRef: string;
  files: number;
  bytes: number;
}

/** US dollars per million tokens, by model name or prefix. */
export type PriceTable = Record<string, { input: number; output: number; cacheRead?: number; cacheWrite?: number }>;

export interface DecomposeOutcome {
  plan: Plan;
  usage: Usage;
  /** The plan came from the decomposition cache. */
  cached?: boolean;
  /** How many answers the model needed (1 = valid at once). */
  answers: number;
}

export interface AggregateInput {
  goal?: string;
  model?: string;
  prices?: PriceTable;
  /** The run's usage so far, for the report. */
  usage?: Usage;
  useLlm: boolean;
  /** Why the LLM report could not be had, shown in a report written without it. */
  llmError?: string;
  tasks: TaskRecord[];
  /** A big run: the rest of its task records, in the result store (see RunResult.taskPages). */
  taskPages?: PagedRef[];
  stats: RunStats;
  patience?: Patience;
}

export interface AggregateOutcome {
  report: string;
  reportRef?: string;
  usage: Usage;
}

/** Sent by runTask to its workflow so the live table shows Retrying and the attempt count. */
export interface TaskAttemptNotice {
  taskId: string;
  attempt: number;
  error?: string;
}

export const NO_USAGE: Usage = { inputTokens: 0, outputTokens: 0 };

export function addUsage(a: Usage, b: Usage | undefined): Usage {
  if (!b) return a;
  const sum: Usage = { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens };
  const extra = (key: 'cacheReadTokens' | 'cacheWriteTokens' | 'costUsd') => {
    if (a[key] !== undefined || b[key] !== undefined) sum[key] = (a[key] ?? 0) + (b[key] ?? 0);
  };
  extra('cacheReadTokens');
  extra('cacheWriteTokens');
  extra('costUsd');
  if (sum.costUsd !== undefined) sum.costUsd = Math.round(sum.costUsd * 1e6) / 1e6;
  return sum;
}

export function totalTokens(usage: Usage): number {
  return usage.inputTokens + usage.outputTokens + (usage.cacheReadTokens ?? 0) + (usage.cacheWriteTokens ?? 0);
}

export function countStatuses(tasks: ReadonlyArray<Pick<TaskRecord, 'status'>>): Record<TaskStatus, number> {
  const counts = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
  for (const t of tasks) counts[t.status]++;
  return counts;
}

/** The status view of a finished run, from its result: what `status` shows once the run closed. */
/** A big run's counts: its result lists only some of its tasks, its stats count them all. */
function countsOfStats(stats: RunStats): Record<TaskStatus, number> {
  return { ...countStatuses([]), Completed: stats.completed, Reused: stats.reused ?? 0, Failed: stats.failed, Skipped: stats.skipped, Cancelled: stats.cancelled };
}

export function statusViewOf(result: RunResult, startedAt: number): RunStatusView {
  return {
    workflowId: result.workflowId,
    phase: result.status,
    goal: result.goal,
    startedAt,
    counts: result.taskPages?.length ? countsOfStats(result.stats) : countStatuses(result.tasks),
    tasks: result.tasks,
    usage: result.usage,
    audit: result.audit,
  };
}
