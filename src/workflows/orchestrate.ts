// The orchestrate workflow: plan (or take a plan), run the DAG, aggregate, return a RunResult.
// Deterministic: decisions only; all I/O happens in activities.
import { ActivityFailure, ApplicationFailure, isCancellation, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { DEFAULT_OPTIONS, OrchestrateInputSchema, type OrchestrateInput, type Plan } from '../plan/schema';
import { unsafeTaskProblems } from '../plan/planSafety';
import { formatProblems, validatePlan } from '../plan/validatePlan';
import { computeRunStats } from '../run/runStats';
import { TaskTable } from '../run/taskTable';
import { addUsage, countStatuses, NO_USAGE, type AggregateOutcome, type DecomposeInput, type RunPhase, type RunResult, type RunStatusView, type TaskRecord, type Usage } from '../run/types';
import { executeDag } from './executeDag';
import { statusQuery, taskAttemptSignal } from './messages';

/** Outputs kept inline in the RunResult, in total; the rest stay behind their outputRef. */
const RESULT_INLINE_BUDGET = 256 * 1024;

const planning = proxyActivities<Activities>({
  activityId: 'decompose',
  summary: 'decompose · plan the goal',
  startToCloseTimeout: '10m',
  heartbeatTimeout: '60s',
  retry: { maximumAttempts: 3, initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '2m' },
});

export async function orchestrate(input: OrchestrateInput): Promise<RunResult> {
  const parsed = OrchestrateInputSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `- ${i.path.join('.') || '(input)'}: ${i.message}`).join('\n');
    throw ApplicationFailure.nonRetryable(`invalid workflow input:\n${problems}`, 'InvalidInput');
  }
  const given = parsed.data.options ?? {};
  const { workflowId } = workflowInfo();
  const startedAt = Date.now();
  let phase: RunPhase = 'Planning';
  let goal = parsed.data.goal;
  let table: TaskTable | undefined;
  let usage: Usage = NO_USAGE;

  setHandler(
    statusQuery,
    (): RunStatusView => ({
      workflowId,
      phase,
      goal,
      startedAt,
      counts: table?.counts() ?? countStatuses([]),
      tasks: (table?.list() ?? []).map(withoutOutput),
    }),
  );
  setHandler(taskAttemptSignal, (notice) => table?.noteAttempt(notice));

  let plan: Plan;
  if (parsed.data.plan !== undefined) {
    plan = mustBeValid(parsed.data.plan, 'the plan given');
  } else {
    const planOptions = { ...DEFAULT_OPTIONS, ...given };
    const planned = await decompose({ goal: parsed.data.goal!, model: given.model, maxTasks: planOptions.maxTasks, allowShell: planOptions.allowShell, allowWrites: planOptions.allowWrites });
    usage = addUsage(usage, planned.usage);
    plan = mustBeValid({ ...planned.plan, goal: planned.plan.goal ?? parsed.data.goal }, 'the planner');
    // The planner was held to this already; a plan from elsewhere in history is checked again.
    const unsafe = unsafeTaskProblems(plan, planOptions);
    if (unsafe.length > 0) throw ApplicationFailure.nonRetryable(`the planner's plan is not allowed:\n${formatProblems(unsafe)}`, 'UnsafePlan');
  }
  // Precedence: the run's options, then the plan's own settings, then defaults.
  const options = { ...DEFAULT_OPTIONS, ...definedOnly({ maxParallel: plan.maxParallel, failFast: plan.failFast }), ...given };
  goal = plan.goal ?? goal;
  table = new TaskTable(plan);

  phase = 'Running';
  await executeDag(plan, table, { ...options, goal });

  phase = 'Aggregating';
  const records = table.list();
  const stats = computeRunStats(records);
  const aggregated: AggregateOutcome =
    options.aggregate === 'none'
      ? { report: '', usage: NO_USAGE }
      : await aggregate({ goal, model: options.model, tasks: records.map(withoutOutput), stats }, options.aggregate === 'llm');
  usage = records.reduce((sum, r) => addUsage(sum, r.usage), addUsage(usage, aggregated.usage));

  phase = stats.completed === stats.totalTasks ? 'Completed' : 'Failed';
  return {
    workflowId,
    status: phase,
    goal,
    plan,
    tasks: keepInlineWithin(records, RESULT_INLINE_BUDGET),
    report: aggregated.report,
    reportRef: aggregated.reportRef,
    stats,
    usage,
  };
}

export async function decompose(input: DecomposeInput) {
  try {
    return await planning.decompose(input);
  } catch (err) {
    if (isCancellation(err)) throw err;
    const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
    const message = cause instanceof Error ? cause.message : String(cause);
    const type = cause instanceof ApplicationFailure && cause.type === 'InvalidPlan' ? 'InvalidPlan' : 'PlanningFailed';
    throw ApplicationFailure.nonRetryable(type === 'InvalidPlan' ? message : `planning failed: ${message}`, type);
  }
}

/** The LLM report first; if it cannot be had, a report written without the LLM, so the run still ends with one. */
async function aggregate(input: Omit<Parameters<Activities['aggregate']>[0], 'useLlm'>, useLlm: boolean): Promise<AggregateOutcome> {
  const activities = proxyActivities<Activities>({
    activityId: 'aggregate',
    summary: 'aggregate · merge the results',
    startToCloseTimeout: '10m',
    heartbeatTimeout: '60s',
    retry: { maximumAttempts: 3, initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '2m' },
  });
  try {
    return await activities.aggregate({ ...input, useLlm });
  } catch (err) {
    if (isCancellation(err)) throw err;
    const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
    const fallback = proxyActivities<Activities>({ activityId: 'aggregate-without-llm', startToCloseTimeout: '2m' });
    return fallback.aggregate({ ...input, useLlm: false, llmError: cause instanceof Error ? cause.message : String(cause) });
  }
}

function mustBeValid(plan: unknown, source: string): Plan {
  const result = validatePlan(plan);
  if (!result.ok) throw ApplicationFailure.nonRetryable(`invalid plan from ${source}:\n${formatProblems(result.problems)}`, 'InvalidPlan');
  return result.plan;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function withoutOutput(record: TaskRecord): TaskRecord {
  const { output: _output, ...rest } = record;
  return rest;
}

function keepInlineWithin(records: TaskRecord[], budget: number): TaskRecord[] {
  let left = budget;
  return records.map((r) => {
    if (r.output === undefined) return r;
    if (r.output.length <= left) {
      left -= r.output.length;
      return r;
    }
    return withoutOutput(r);
  });
}
