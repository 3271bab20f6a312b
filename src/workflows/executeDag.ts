// The execute phase: start each task the moment its own dependencies are done, up to maxParallel,
// isolate failures, stop everything on failFast or a critical failure, and apply task approval
// timeouts. Operators change the table through updates; this loop reacts. Deterministic.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  TimeoutFailure,
  ChildWorkflowCancellationType,
  ParentClosePolicy,
  condition,
  executeChild,
  isCancellation,
  patched,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import { allowedTools } from '../agent/allowedTools';
import type { Activities } from '../activities';
import { durationToMs, toTemporalDuration, type Duration, type McpServers, type Task } from '../plan/schema';
import { totalTokens, type Patience, type PriceTable, type TaskOutcome, type UpstreamOutput, type Usage } from '../run/types';
import { agentTask, agentWorkflowId } from './agentTask';
import { remainingPathLengths } from '../plan/criticalPath';
import { taskPriorityKey } from '../plan/taskPriority';
import { taskWeightMinutes } from '../plan/taskWeight';
import { earlierDurations } from './durationMemo';
import { taskSkillQueue, skillTaskQueue } from '../plan/skillQueue';
import type { RunState } from './runState';
import { ReuseOutputs } from './reuseOutputs';
import { DEFAULT_RUN_TASKS, RunMaps } from './runMaps';
import { runSubPlan, type SubPlanSettings } from './subPlan';
import { storePaged } from './pagedState';
import { TaskScope } from './taskScope';
import { agentWorkdir, isAgentTask, taskWorkdir } from './taskWorkdir';
import { INLINE_GOAL_CHARS } from '../text/pages';

/** Turns an agent task may take when it sets no maxTurns. */
export const DEFAULT_MAX_TURNS = 20;

export interface ExecuteSettings {
  goal?: string;
  model?: string;
  maxParallel: number;
  failFast: boolean;
  taskTimeout: Duration;
  heartbeatTimeout: Duration;
  retryInitialInterval: Duration;
  retries: number;
  /** How long LLM calls ride out provider trouble without using up retries. */
  providerRetryFor: Duration;
  approvalTimeout: Duration;
  approvalTimeoutAction: 'reject' | 'approve';
  budget?: { maxTokens?: number; maxCostUsd?: number };
  prices?: PriceTable;
  /** All run options, handed down (adjusted) to sub-plans. */
  options: SubPlanSettings['options'];
  /** A rerun: the run whose outputs unchanged tasks take, and the tasks that run again regardless. */
  reuseFrom?: string;
  fromTasks?: string[];
  /** How many tasks the run may grow to with its maps' items (the run's maxTasks; default DEFAULT_RUN_TASKS). */
  maxRunTasks?: number;
}

/** History events after which a run continues as new, when its options name no other number. */
export const DEFAULT_CONTINUE_AS_NEW_AFTER = 8_000;

/**
 * Runs the DAG until every task ended ('ended'), or until the history has grown past the run's
 * continueAsNewAfter and the tasks under way have drained ('continue': the caller hands the run's
 * state to a new run of the chain; nothing starts meanwhile, so nothing is in flight then).
 */
export async function executeDag(run: RunState, settings: ExecuteSettings): Promise<'ended' | 'continue'> {
  const table = run.table!;
  // Each sub-plan gets an equal share of what the tree cap leaves after this run's own tasks.
  const splitTasks = table.plan().tasks.filter((t) => t.decompose).length;
  const taskShare = splitTasks === 0 ? 0 : Math.floor(((settings.options.maxTreeTasks ?? 200) - table.plan().tasks.length) / splitTasks);
  const sub = settings.options.subPlan;
  const reuse = await ReuseOutputs.load(table, {
    ...(settings.reuseFrom !== undefined ? { reuseFrom: settings.reuseFrom } : {}),
    ...(settings.fromTasks ? { fromTasks: settings.fromTasks } : {}),
    cache: settings.options.reuse ?? false,
    model: settings.model,
    isAgentTask: (task) => isAgentTask(task, settings.options.workdir),
  });

  // A task runs in its own cancellation scope (an operator may cancel it alone). A scope whose
  // one-activity task ended uncancelled is handed to the next such task: each new scope costs
  // the SDK several promises, each with a recorded stack. Safe to share over time: a scope holds
  // one running task at most, and cancelling it reaches only activities still pending.
  const idleScopes: CancellationScope[] = [];
  const stopOnFailure = (task: Task): void => {
    if (!settings.failFast && !task.critical) return;
    const reason = task.critical ? `critical task ${task.id} failed` : `failFast: ${task.id} failed`;
    for (const id of table.stopAll(reason, Date.now())) run.scopes.get(id)?.cancel();
  };
  // A long goal is stored once for this run (of the chain) and each task gets a reference to it.
  const goal = settings.goal;
  const goalRef = goal !== undefined && goal.length > INLINE_GOAL_CHARS && patched('goal-by-reference') ? await storePaged('goal', goal) : undefined;
  const maps = new RunMaps(run, {
    maxTasks: settings.maxRunTasks ?? DEFAULT_RUN_TASKS,
    workdirOf: (task) => taskWorkdir(task, settings.options.workdir),
    onFailed: stopOnFailure,
    describe: (err) => describeFailure(err, 1).message,
  });

  const start = (task: Task): void => {
    const activityQueue = activityQueueOf(task, settings);
    const reuseKey = reuse.keyOf(task);
    table.markRunning(task.id, Date.now(), activityQueue, reuseKey);
    const workdir = agentWorkdir(task, settings.options.workdir);
    const oneActivity = !task.decompose && workdir === undefined;
    const scope = (oneActivity ? idleScopes.pop() : undefined) ?? new TaskScope();
    run.scopes.set(task.id, scope);
    const upstream = (task.dependsOn ?? []).map((dep) => {
      const record = table.get(dep)!;
      return { id: dep, title: record.title, outputRef: record.outputRef!, ...(record.outputHash ? { outputHash: record.outputHash } : {}) };
    });
    const maxAttempts = (task.retries ?? settings.retries) + 1;
    const failed = (err: unknown): void => {
      const status = table.get(task.id)!.status;
      if (status !== 'Running' && status !== 'Retrying') return; // an operator or failFast stopped it already
      if (isCancellation(err)) {
        table.cancelByOperator(task.id, 'run cancelled', Date.now());
        return;
      }
      const { message, attempts, exitCode } = describeFailure(err, maxAttempts);
      table.markFailed(task.id, message, attempts, Date.now(), exitCode);
      // An item of a map fails its map only past allowFailures, when the map ends.
      if (table.mapOfTask(task.id) === undefined) stopOnFailure(task);
    };
    const settled = (): void => {
      run.scopes.delete(task.id);
      if (oneActivity && !scope.consideredCancelled) idleScopes.push(scope);
      run.wake();
    };
    scope
      .run(() =>
        task.decompose
          ? runSubPlan(task, upstream, { goal: settings.goal, options: settings.options, taskShare })
          : workdir !== undefined
            ? runAgentTask(task, upstream, workdir, { ...settings.options.mcpServers, ...run.planBase.mcpServers }, settings, maxAttempts, table.startNumber(task.id), activityQueue)
            : taskActivities(task, settings, maxAttempts, table.startNumber(task.id), activityQueue, priorityOf(task)).runTask({
              ...(goalRef ? { goalRef } : { goal }),
              task,
              model: settings.model,
              upstream,
              ...(settings.prices ? { prices: settings.prices } : {}),
              ...(sub?.ancestors.length ? { ancestors: sub.ancestors } : {}),
              ...(sub?.inherited.length ? { inherited: sub.inherited } : {}),
              ...(isLlmTask(task) ? { patience: taskPatience(task, settings) } : {}),
              ...(reuseKey !== undefined && reuse.cacheable(task) ? { reuseKey } : {}),
            }),
      )
      // One handler pair, not then/catch/finally: the SDK records a stack trace for every promise a
      // workflow creates, and a 500-task fan-out starts 500 of these at once.
      .then(
        (outcome) => {
          try {
            table.markCompleted(task.id, outcome, Date.now());
          } catch (err) {
            failed(err);
          }
          settled();
        },
        (err: unknown) => {
          failed(err);
          settled();
        },
      );
  };

  // Critical-path-first: when ready tasks outnumber free slots, the one with the longest chain
  // still behind it starts first (weighted by estimatedMinutes, else by the median time of the
  // same work in earlier runs, else equally), and its activity carries a Temporal priority key so
  // that, on a queue shared with other runs, it is dispatched first too. Runs that began before
  // this rule keep plan order on replay. Recomputed only when the plan changes (patches).
  const earlier = settings.options.startOrder === 'plan' ? new Map<string, number>() : await earlierDurations(table.plan().tasks, settings.maxParallel, settings.model);
  let ordered: { version: number; order: Map<string, number>; longest: number } | undefined;
  const remainingChains = (): typeof ordered => {
    if (settings.options.startOrder === 'plan' || !patched('critical-path-first')) return undefined;
    if (ordered?.version !== table.planVersion()) {
      const order = remainingPathLengths(table.plan().tasks, (t) => taskWeightMinutes(t, earlier.get(t.id)));
      // A map's items stand where their map stands: its dependents wait for all of them.
      for (const r of table.view()) {
        const map = table.mapOfTask(r.id);
        if (map !== undefined) order.set(r.id, order.get(map) ?? 0);
      }
      ordered = { version: table.planVersion(), order, longest: Math.max(0, ...order.values()) };
    }
    return ordered;
  };
  const startOrder = (): Map<string, number> | undefined => (table.waitingCount() === 0 ? undefined : remainingChains()?.order);
  const priorityOf = (task: Task): number | undefined => {
    const chains = remainingChains();
    return chains ? taskPriorityKey(chains.order.get(task.id) ?? 0, chains.longest) : undefined;
  };

  const approvalMs = durationToMs(settings.approvalTimeout);
  const hold = settings.options.holdOnFailure;
  const holdMs = hold === undefined || hold === false ? undefined : hold === true ? approvalMs : durationToMs(hold);
  /** When the run began to hold: its hold times out from then, whatever wakes it meanwhile. */
  let heldSince: number | undefined;
  const handOverAfter = settings.options.continueAsNewAfter ?? DEFAULT_CONTINUE_AS_NEW_AFTER;
  let draining = false;
  // The run's cancellation, seen by the loop's wait below (a condition would reject with it; a
  // wake does not): one handler for the whole loop rather than one per wait.
  let cancelled: unknown;
  CancellationScope.current().cancelRequested.catch((err: unknown) => {
    cancelled = err;
    run.wake();
  });
  for (;;) {
    const now = Date.now();
    // A map whose items all ended ends first: its dependents are then promoted (or skipped) below.
    maps.endFinished();
    table.promoteReady(now);
    if (reuse.active) await reuse.takeReady(now);
    const overdue = table.awaitingApproval().filter((r) => now - r.readyAt! >= approvalMs);
    for (const r of overdue) {
      const approve = settings.approvalTimeoutAction === 'approve';
      if (approve) table.approve(r.id);
      else table.skipByOperator(r.id, 'approval timed out');
      run.record({ requestId: `timeout:${r.id}`, action: approve ? 'approve' : 'reject', taskId: r.id, reason: 'approval timed out', effect: `${r.id} ${approve ? 'approved' : 'rejected'} by default` }, now);
    }
    // A rejection by default skips the task's dependents.
    if (overdue.length > 0) table.promoteReady(now);
    const overBudget = settings.budget && !run.budgetExceeded && budgetReason(run.usage(), settings.budget);
    if (overBudget) {
      run.budgetExceeded = overBudget;
      table.skipNotStarted(`budget exceeded: ${overBudget}`);
    }
    // A long history: start nothing more, let what runs finish, then hand over to a new run.
    // (Behind a patch marker: a run begun before hand-overs existed goes on as it did.)
    if (!draining && (workflowInfo().historyLength >= handOverAfter || workflowInfo().continueAsNewSuggested) && patched('continue-as-new')) draining = true;
    if (!draining) {
      for (const id of table.nextToStart(settings.maxParallel, startOrder())) {
        const task = table.task(id);
        if (task.forEach) maps.start(task);
        else start(task);
      }
    }
    if (table.isFinished()) {
      // Held on failure: the report waits until an operator retries, skips, patches or releases.
      if (holdMs === undefined || run.released || run.budgetExceeded || table.failedCount() === 0) return 'ended';
      heldSince ??= now;
      if (now - heldSince >= holdMs) {
        run.released = true;
        run.record({ requestId: 'timeout:hold', action: 'release', reason: 'hold timed out', effect: 'released by default: the report is written from what finished' }, now);
        return 'ended';
      }
      run.phase = 'Held';
      run.publish();
      run.changed = false;
      await condition(() => run.changed, heldSince + holdMs - now);
      run.changed = false;
      continue;
    }
    heldSince = undefined;
    if (run.phase === 'Held') run.phase = 'Running';
    if (draining && table.activeCount() === 0 && !maps.inFlight()) return 'continue';
    const awaiting = table.awaitingApproval();
    if (table.activeCount() === 0 && awaiting.length === 0 && !maps.busy()) {
      // Unreachable for a validated plan; fail loudly rather than wait forever.
      throw ApplicationFailure.nonRetryable('no task can start and none is running', 'SchedulerStuck');
    }
    run.publish();
    run.changed = false;
    if (awaiting.length > 0) await condition(() => run.changed, Math.max(1, Math.min(...awaiting.map((r) => r.readyAt! + approvalMs)) - now));
    else if (patched('wake-on-change')) {
      await run.nextChange();
      if (cancelled !== undefined) throw cancelled;
    } else await condition(() => run.changed);
    run.changed = false;
  }
}

function runAgentTask(task: Task, upstream: UpstreamOutput[], workdir: string, mcpServers: McpServers, settings: ExecuteSettings, maxAttempts: number, startNumber: number, activityQueue: string | undefined): Promise<TaskOutcome> {
  const sub = settings.options.subPlan;
  return executeChild(agentTask, {
    workflowId: agentWorkflowId(task, startNumber),
    staticSummary: `${task.id} · ${task.title} (agent)`,
    cancellationType: ChildWorkflowCancellationType.TRY_CANCEL,
    parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    args: [
      {
        task,
        goal: settings.goal,
        model: settings.model,
        upstream,
        workdir,
        tools: allowedTools(task, { allowWrites: settings.options.allowWrites ?? false, allowShell: settings.options.allowShell ?? false }),
        ...(Object.keys(mcpServers).length > 0 ? { mcpServers } : {}),
        maxTurns: task.maxTurns ?? DEFAULT_MAX_TURNS,
        timeout: toTemporalDuration(task.timeout ?? settings.taskTimeout),
        heartbeatTimeout: toTemporalDuration(settings.heartbeatTimeout),
        retryInitialInterval: toTemporalDuration(settings.retryInitialInterval),
        maxAttempts,
        ...(activityQueue ? { activityQueue } : {}),
        parentWorkflowId: workflowInfo().workflowId,
        ...(settings.prices ? { prices: settings.prices } : {}),
        ...(sub?.ancestors.length ? { ancestors: sub.ancestors } : {}),
        ...(sub?.inherited.length ? { inherited: sub.inherited } : {}),
        patience: taskPatience(task, settings),
      },
    ],
  });
}

/** The provider-trouble budget and first backoff of the run's LLM calls. */
export function patienceOf(settings: { providerRetryFor: Duration; retryInitialInterval: Duration }): Patience {
  return { retryForMs: durationToMs(settings.providerRetryFor), backoffMs: durationToMs(settings.retryInitialInterval) };
}

/** A task's LLM calls: the run's patience, each call waiting for its first byte as long as the task's timeout. */
function taskPatience(task: Task, settings: ExecuteSettings): Patience {
  return { ...patienceOf(settings), callTimeoutMs: taskTimeoutMs(task, settings) };
}

function taskTimeoutMs(task: Task, settings: ExecuteSettings): number {
  return durationToMs(task.timeout ?? settings.taskTimeout);
}

function isLlmTask(task: Task): boolean {
  return (task.backend ?? 'anthropic') === 'anthropic';
}

/** Why the budget is spent, or undefined while it is not. */
function budgetReason(usage: Usage, budget: ExecuteSettings['budget']): string | undefined {
  if (!budget) return undefined;
  const tokens = totalTokens(usage);
  if (budget.maxTokens !== undefined && tokens >= budget.maxTokens) return `${tokens} tokens used of ${budget.maxTokens}`;
  if (budget.maxCostUsd !== undefined && (usage.costUsd ?? 0) >= budget.maxCostUsd) return `$${(usage.costUsd ?? 0).toFixed(4)} spent of $${budget.maxCostUsd}`;
  return undefined;
}

function taskActivities(task: Task, settings: ExecuteSettings, maxAttempts: number, startNumber: number, activityQueue: string | undefined, priorityKey: number | undefined) {
  return proxyActivities<Activities>({
    // A task an operator retried runs as a new activity.
    activityId: startNumber <= 1 ? `task:${task.id}` : `task:${task.id}:${startNumber}`,
    summary: `${task.id} · ${task.title}`,
    ...(activityQueue ? { taskQueue: activityQueue } : {}),
    ...(priorityKey !== undefined ? { priority: { priorityKey } } : {}),
    // An LLM task may wait out provider trouble inside its attempt: that time comes on top of its own.
    startToCloseTimeout: isLlmTask(task) ? taskTimeoutMs(task, settings) + durationToMs(settings.providerRetryFor) : toTemporalDuration(task.timeout ?? settings.taskTimeout),
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

/** The skill queue's task queue, next to this run's own, when the task (or its backend) has one. */
function activityQueueOf(task: Task, settings: ExecuteSettings): string | undefined {
  const queue = taskSkillQueue(task, settings.options.queues);
  return queue === undefined ? undefined : skillTaskQueue(workflowInfo().taskQueue, queue);
}

/** The root cause in words a user can act on, and how many attempts were made. */
export function describeFailure(err: unknown, maxAttempts: number): { message: string; attempts: number; exitCode?: number } {
  let cause: unknown = err;
  let attempts = 1;
  // An agent task fails as a child workflow whose activity failed: look through both.
  if (cause instanceof ChildWorkflowFailure) cause = cause.cause ?? cause;
  if (cause instanceof ActivityFailure) {
    if (cause.retryState === 'MAXIMUM_ATTEMPTS_REACHED') attempts = maxAttempts;
    cause = cause.cause ?? cause;
  }
  if (cause instanceof ApplicationFailure) {
    const detail = cause.details?.[0] as { attempt?: number; exitCode?: number | null } | undefined;
    if (typeof detail?.attempt === 'number') attempts = Math.max(attempts, detail.attempt);
    return { message: cause.message, attempts, ...(typeof detail?.exitCode === 'number' ? { exitCode: detail.exitCode } : {}) };
  }
  if (cause instanceof TimeoutFailure) return { message: `timed out (${String(cause.timeoutType).toLowerCase().replace(/_/g, '-')})`, attempts };
  return { message: cause instanceof Error ? cause.message : String(cause), attempts };
}
