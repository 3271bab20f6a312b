// The orchestrate workflow: plan (or take a plan), optionally wait for plan approval, run the
// DAG, aggregate, return a RunResult. A cancelled run still writes its report from what finished.
// Deterministic: decisions only; all I/O happens in activities.
import { ActivityFailure, allHandlersFinished, ApplicationFailure, CancellationScope, condition, continueAsNew, isCancellation, metricMeter, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { recordRunEnd } from '../metrics/dagentMetrics';
import type { Activities } from '../activities';
import { unsafeTaskProblems } from '../plan/planSafety';
import { DEFAULT_OPTIONS, PLAN_LIMITS, durationToMs, OrchestrateInputSchema, toTemporalDuration, type Duration, type OrchestrateInput, type Plan } from '../plan/schema';
import { formatProblems, validatePlan } from '../plan/validatePlan';
import { definedOnly } from '../run/definedOnly';
import { computeRunStats } from '../run/runStats';
import { firstLine } from '../text/shortenText';
import { addUsage, NO_USAGE, OUTPUT_READY, type AggregateOutcome, type Patience, type DecomposeInput, type RunOutcome, type RunResult, type TaskRecord } from '../run/types';
import { registerControls } from './controls';
import { executeDag, patienceOf } from './executeDag';
import { RunState, withoutOutput, type CarriedState } from './runState';
import { rememberDurations } from './durationMemo';
import { fileLedger, handOverInput, listsByReference } from './ledger';
import { loadPaged } from './pagedState';

/** Planning and aggregation: a dead worker's call moves on after the run's heartbeat timeout. */
function helperActivities(activityId: string, summary: string, heartbeatTimeout: Duration, patience?: Patience) {
  return proxyActivities<Activities>({
    activityId,
    summary,
    // Provider trouble is waited out inside the attempt, on top of its own ten minutes.
    startToCloseTimeout: 10 * 60_000 + (patience?.retryForMs ?? 0),
    heartbeatTimeout: toTemporalDuration(heartbeatTimeout),
    retry: { maximumAttempts: 3, initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '2m' },
  });
}

export async function orchestrate(input: OrchestrateInput): Promise<RunResult> {
  const parsed = OrchestrateInputSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `- ${i.path.join('.') || '(input)'}: ${i.message}`).join('\n');
    throw ApplicationFailure.nonRetryable(`invalid workflow input:\n${problems}`, 'InvalidInput');
  }
  const given = parsed.data.options ?? {};
  const run = new RunState(workflowInfo().workflowId, Date.now(), parsed.data.goal);
  run.publishSearchAttributes = given.searchAttributes ?? false;
  const continuing = parsed.data.carried !== undefined || parsed.data.carriedRef !== undefined;
  if (continuing) {
    run.phase = 'Running';
    run.handingOver = true;
  }
  // Queries and updates are answered from the first moment, even while state is read in below.
  registerControls(run);
  // Big plans and big carried state come by reference, from the result store.
  const givenPlan = parsed.data.planRef !== undefined ? await loadPaged<unknown>(parsed.data.planRef, 'planRef') : parsed.data.plan;
  // A run that continued as new picks up where the previous run of its chain stopped.
  const carried = parsed.data.carriedRef !== undefined ? await loadPaged<CarriedState>(parsed.data.carriedRef, 'carriedRef') : (parsed.data.carried as CarriedState | undefined);
  if (carried) run.resume(mustBeValid(givenPlan, 'the run it continues'), carried);
  run.publish();

  let plan: Plan;
  if (carried) {
    plan = run.plan()!;
  } else if (givenPlan !== undefined) {
    plan = mustBeValid(givenPlan, 'the plan given');
  } else {
    const planOptions = { ...DEFAULT_OPTIONS, ...given };
    const planned = await decompose(planOptions.heartbeatTimeout, given.workdir, {
      goal: parsed.data.goal!,
      model: given.model,
      // A plan holds at most PLAN_LIMITS.maxTasks tasks, whatever the run may grow to with maps.
      maxTasks: Math.min(planOptions.maxTasks, PLAN_LIMITS.maxTasks),
      allowShell: planOptions.allowShell,
      allowWrites: planOptions.allowWrites,
      useCache: planOptions.planCache,
      patience: patienceOf(planOptions),
      ...(given.prices ? { prices: given.prices } : {}),
      ...(given.subPlan?.ancestors.length ? { ancestors: given.subPlan.ancestors } : {}),
      ...(given.subPlan?.inherited.length ? { inherited: given.subPlan.inherited } : {}),
    });
    run.overheadUsage = addUsage(run.overheadUsage, planned.usage);
    run.planCached = planned.cached ?? false;
    plan = mustBeValid({ ...planned.plan, goal: planned.plan.goal ?? parsed.data.goal }, 'the planner');
    // The planner was held to this already; a plan from elsewhere in history is checked again.
    const unsafe = unsafeTaskProblems(plan, planOptions);
    if (unsafe.length > 0) throw ApplicationFailure.nonRetryable(`the planner's plan is not allowed:\n${formatProblems(unsafe)}`, 'UnsafePlan');
  }
  // Precedence: the run's options, then the plan's own settings, then defaults.
  const options = { ...DEFAULT_OPTIONS, ...definedOnly({ maxParallel: plan.maxParallel, startOrder: plan.startOrder, failFast: plan.failFast }), ...given };
  if (plan.tasks.some((t) => t.decompose) && plan.tasks.length > options.maxTreeTasks) {
    throw ApplicationFailure.nonRetryable(`the plan has ${plan.tasks.length} tasks, over the cap of ${options.maxTreeTasks} across the tree of sub-plans (maxTreeTasks)`, 'TreeTooLarge');
  }
  const unknownFrom = (parsed.data.fromTasks ?? []).filter((id) => !plan.tasks.some((t) => t.id === id));
  if (unknownFrom.length > 0) throw ApplicationFailure.nonRetryable(`fromTasks: no task ${unknownFrom.join(', ')} in the plan`, 'InvalidInput');
  const table = carried ? run.table! : run.startTable(plan);

  let outcome: RunOutcome | undefined;
  let next: 'ended' | 'continue' = 'ended';
  try {
    if (!carried && options.approval === 'plan' && !(await awaitPlanApproval(run, options))) outcome = 'Rejected';
    else {
      run.phase = 'Running';
      run.publish();
      next = await executeDag(run, { ...options, goal: run.goal, options, ...definedOnly({ reuseFrom: parsed.data.reuseFrom, fromTasks: parsed.data.fromTasks, maxRunTasks: given.maxTasks ?? plan.maxTasks }) });
    }
    if (run.budgetExceeded) outcome = 'BudgetExceeded';
  } catch (err) {
    if (!isCancellation(err)) throw err;
    outcome = 'Cancelled';
    for (const id of table.stopAll('run cancelled', Date.now())) run.scopes.get(id)?.cancel();
  }
  if (next === 'continue' && outcome === undefined) {
    // The history has grown long: this run hands its state to a new run of the same workflow id
    // (queries, updates and the client's result follow it), once no update is being handled.
    // The hand-over's writes finish even if the run is cancelled meanwhile; a new run would not
    // inherit that cancel, so then this run ends here instead, Cancelled, with its report.
    const keep = { ...(parsed.data.options ? { options: parsed.data.options } : {}), ...definedOnly({ reuseFrom: parsed.data.reuseFrom, fromTasks: parsed.data.fromTasks }) };
    const handOver = await CancellationScope.nonCancellable(() => handOverInput(run, keep, () => condition(allHandlersFinished)));
    if (!CancellationScope.current().consideredCancelled) return continueAsNew<typeof orchestrate>(handOver);
    outcome = 'Cancelled';
    table.stopAll('run cancelled', Date.now());
  }

  run.phase = 'Aggregating';
  // A big run's completed map items go to its ledger; its result and report read them there.
  const byReference = listsByReference(run);
  if (byReference) await CancellationScope.nonCancellable(() => fileLedger(run));
  const records = table.list();
  const listed = byReference ? records.filter((r) => !table.isLedgered(r.id)) : records;
  const taskPages = byReference ? { taskPages: [...run.ledger] } : {};
  const stats = computeRunStats(records);
  // A map's items count through their map: failures it allows do not fail the run.
  outcome ??= records.every((r) => OUTPUT_READY.has(r.status) || table.mapOfTask(r.id) !== undefined) ? 'Completed' : 'Failed';
  // Exported with the SDK's metrics by the worker (not on replay).
  recordRunEnd(metricMeter, outcome, records, stats.makespanMs);
  // Durations are remembered while the report is written: no wait of their own.
  const remembering = CancellationScope.nonCancellable(() => rememberDurations(table.plan().tasks, records, options.model, options.workdir));
  const aggregated: AggregateOutcome =
    options.aggregate === 'none' || outcome === 'Rejected'
      ? { report: outcome === 'Rejected' ? rejectionReport(run) : '', usage: NO_USAGE }
      : await CancellationScope.nonCancellable(() =>
          aggregate(
            { goal: run.goal, model: options.model, tasks: listed.map(withoutOutput), ...taskPages, stats, usage: run.usage(), patience: patienceOf(options), ...(given.prices ? { prices: given.prices } : {}) },
            options.aggregate === 'llm',
            options.heartbeatTimeout,
          ),
        );
  await remembering;
  run.overheadUsage = addUsage(run.overheadUsage, aggregated.usage);

  run.phase = outcome;
  run.publish();
  return {
    workflowId: run.workflowId,
    status: outcome,
    goal: run.goal,
    plan: run.plan()!,
    tasks: listed.map(withoutOutput),
    ...taskPages,
    report: aggregated.report,
    reportRef: aggregated.reportRef,
    stats,
    usage: run.usage(),
    audit: [...run.audit],
    ...(run.planCached ? { planCached: true } : {}),
    ...(run.budgetExceeded ? { budgetExceeded: run.budgetExceeded } : {}),
    ...(parsed.data.reuseFrom !== undefined ? { reusedFrom: parsed.data.reuseFrom } : {}),
    ...(run.continuedAsNew > 0 ? { continuedAsNew: run.continuedAsNew } : {}),
    // What a rerun needs to run it again the same way.
    ...(parsed.data.options ? { options: parsed.data.options } : {}),
  };
}

/** Waits for approve, reject (or patches meanwhile); on timeout the declared default action applies. */
async function awaitPlanApproval(run: RunState, options: { approvalTimeout: Plan['tasks'][number]['timeout'] & {}; approvalTimeoutAction: 'reject' | 'approve' }): Promise<boolean> {
  run.phase = 'AwaitingApproval';
  run.publish();
  const decided = await condition(() => run.planDecision !== undefined, durationToMs(options.approvalTimeout));
  if (!decided) {
    const approved = options.approvalTimeoutAction === 'approve';
    run.planDecision = { approved, reason: 'approval timed out' };
    run.record({ requestId: 'timeout:plan', action: approved ? 'approve' : 'reject', reason: 'approval timed out', effect: `plan ${approved ? 'approved' : 'rejected'} by default` }, Date.now());
  }
  if (!run.planDecision!.approved) run.table!.stopAll(`plan rejected${run.planDecision!.reason ? `: ${run.planDecision!.reason}` : ''}`, Date.now());
  return run.planDecision!.approved;
}

function rejectionReport(run: RunState): string {
  const reason = run.planDecision?.reason;
  return `# dagent report${run.goal ? `: ${firstLine(run.goal)}` : ''}\n\nThe plan was rejected${reason ? ` (${reason})` : ''}; no task ran.\n`;
}

/** Plans the goal; with a workdir, the planner first gets a summary of that folder (by reference). */
export async function decompose(heartbeatTimeout: Duration, workdir: string | undefined, input: DecomposeInput) {
  try {
    const workspace = workdir === undefined ? undefined : await helperActivities('workspace', `workspace · summarize ${workdir}`, heartbeatTimeout).describeWorkspace({ workdir });
    return await helperActivities('decompose', 'decompose · plan the goal', heartbeatTimeout, input.patience).decompose(workspace ? { ...input, workspace } : input);
  } catch (err) {
    if (isCancellation(err)) throw err;
    const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
    const message = cause instanceof Error ? cause.message : String(cause);
    const type = cause instanceof ApplicationFailure && cause.type === 'InvalidPlan' ? 'InvalidPlan' : 'PlanningFailed';
    throw ApplicationFailure.nonRetryable(type === 'InvalidPlan' ? message : `planning failed: ${message}`, type);
  }
}

/** The LLM report first; if it cannot be had, a report written without the LLM, so the run still ends with one. */
async function aggregate(input: Omit<Parameters<Activities['aggregate']>[0], 'useLlm'>, useLlm: boolean, heartbeatTimeout: Duration): Promise<AggregateOutcome> {
  const activities = helperActivities('aggregate', 'aggregate · merge the results', heartbeatTimeout, input.patience);
  try {
    return await activities.aggregate({ ...input, useLlm });
  } catch (err) {
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

