// runTask: one task on its backend. Reads upstream outputs by reference, runs the backend,
// checks the output against outputSchema (one corrective attempt), stores the output, and
// returns a reference and a preview. Safe to run more than once.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { BACKEND_REGISTRY } from '../backends';
import type { BackendRequest, BackendResult } from '../backends/types';
import { DEFAULT_PRICES, withCost } from '../run/prices';
import { renderTemplates } from '../plan/templates';
import { buildTaskPromptParts, joinPrompt } from '../run/taskPrompt';
import type { RunTaskInput, TaskOutcome } from '../run/types';
import { reportAttempt, type ActivityDeps } from './deps';
import { storeOutput } from './storeOutput';
import { readUpstream } from './readUpstream';
import { atWork } from './tasksAtWork';
import { fileForReuseLater, reusableOutput } from './reuse';
import { rememberDurationsLater } from './taskDurations';
import { taskDurationKey } from '../plan/taskDurationKey';
import { recordAttempt } from '../metrics/dagentMetrics';
import { annotateSpan } from '../telemetry/annotateSpan';
import { checkOutput } from './outputSchema';
import { readPagedJson } from '../store/pagedJson';
import type { PagedRef } from '../text/pages';

/** Goals read by reference, by their first page: a worker runs many tasks of one run. */
const goals = new Map<string, Promise<string>>();
const GOALS_KEPT = 100;

function goalOf(deps: ActivityDeps, ref: PagedRef): Promise<string> {
  const key = ref.pages[0]!;
  let goal = goals.get(key);
  if (!goal) {
    if (goals.size >= GOALS_KEPT) goals.delete(goals.keys().next().value!);
    goal = readPagedJson<string>(deps.store, ref);
    // A failed read is not kept: the task's retry reads again.
    goal.catch(() => goals.delete(key));
    goals.set(key, goal);
  }
  return goal;
}

export function runTask(deps: ActivityDeps, input: RunTaskInput): Promise<TaskOutcome> {
  return atWork(() => runOneTask(deps, input));
}

async function runOneTask(deps: ActivityDeps, input: RunTaskInput): Promise<TaskOutcome> {
  const ctx = Context.current();
  const { task } = input;
  const attempt = ctx.info.attempt;
  const backend = task.backend ?? 'anthropic';
  const began = Date.now();
  if (attempt > 1) await reportAttempt(deps, ctx, { taskId: task.id, attempt });

  let result: BackendResult;
  try {
    const upstream = await readUpstream(deps, input.upstream);
    const goal = input.goalRef ? await goalOf(deps, input.goalRef) : input.goal;
    const parts = buildTaskPromptParts(task, goal, upstream, { ancestors: input.ancestors, inherited: await readUpstream(deps, input.inherited ?? []) });
    const outputs = new Map(upstream.map((u) => [u.id, u.text]));
    const request: BackendRequest = {
      task,
      prompt: joinPrompt(parts),
      parts,
      systemPrompt: task.systemPrompt === undefined ? undefined : renderTemplates(task.systemPrompt, task.dependsOn ?? [], outputs),
      upstream,
      shellEnv: deps.shellEnv,
      model: task.model ?? input.model,
      cwd: task.workdir ? await existingDirectory(task.workdir) : undefined,
      ctx,
      llm: deps,
      ...(input.patience ? { patience: input.patience } : {}),
      // The live table shows Retrying with the reason while the provider is waited out.
      notice: (reason) => reportAttempt(deps, ctx, { taskId: task.id, attempt, error: reason }),
    };
    result = await runWithSchema(request);
  } catch (err) {
    if (!ctx.cancellationSignal.aborted) recordAttempt(ctx.metricMeter, backend, 'failed', Date.now() - began);
    annotateSpan({ 'dagent.task_id': task.id, 'dagent.backend': backend });
    if (err instanceof ApplicationFailure && !err.nonRetryable) await reportAttempt(deps, ctx, { taskId: task.id, attempt, error: err.message });
    throw err;
  }

  const outcome = await storeOutput(deps, ctx, task.id, result.output, {
    usage: withCost({ ...(result.usage ?? { inputTokens: 0, outputTokens: 0 }), ...(result.costUsd !== undefined ? { costUsd: result.costUsd } : {}) }, result.model, input.prices ?? DEFAULT_PRICES),
    attempt,
    truncated: result.truncated ?? false,
    exitCode: result.exitCode,
    model: result.model,
  });
  annotateSpan({ 'dagent.task_id': task.id, 'dagent.backend': backend, 'dagent.model': outcome.model, 'dagent.input_tokens': outcome.usage.inputTokens, 'dagent.output_tokens': outcome.usage.outputTokens });
  const ms = Date.now() - began;
  // The output filed for the cross-run cache in the background; the metrics and the duration for
  // the scheduler's memo (also written in the background) after the result has gone back (the next
  // task waits for it).
  if (input.reuseKey && outcome.outputHash) {
    const entry = reusableOutput(task.id, input.reuseKey, { ...outcome, outputHash: outcome.outputHash, truncated: outcome.truncated || undefined }, ctx.info.workflowExecution?.workflowId ?? '');
    fileForReuseLater(deps.store, entry, (err) => ctx.log.warn('could not file the output for reuse', { taskId: task.id, error: err.message }));
  }
  setImmediate(() => {
    recordAttempt(ctx.metricMeter, backend, 'completed', ms, outcome.model, outcome.usage);
    rememberDurationsLater(deps.store, [{ key: taskDurationKey(task, input.model), ms }], (err) => ctx.log.warn('could not remember the task\'s duration', { taskId: task.id, error: err.message }));
  });
  return outcome;
}

/** With an outputSchema, a wrong answer gets one corrective attempt (not for shell tasks). */
async function runWithSchema(request: BackendRequest): Promise<BackendResult> {
  const { task } = request;
  const backend = BACKEND_REGISTRY[task.backend ?? 'anthropic'];
  const first = await backend.run(request);
  if (!task.outputSchema) return first;
  const check = checkOutput(first.output, task.outputSchema);
  if (check.ok) return first;
  if (task.backend === 'shell') throw schemaFailure(check.error);

  const retry = await backend.run({
    ...request,
    prompt: `${request.prompt}\n\n## Your previous answer was rejected\nIt did not match the JSON Schema: ${check.error}\nYour previous answer:\n${first.output.slice(0, 4000)}\n\nAnswer again with only JSON that matches the schema.`,
  });
  const recheck = checkOutput(retry.output, task.outputSchema);
  if (!recheck.ok) throw schemaFailure(recheck.error);
  const costUsd = first.costUsd !== undefined || retry.costUsd !== undefined ? (first.costUsd ?? 0) + (retry.costUsd ?? 0) : undefined;
  return { ...retry, usage: sumUsage(first, retry), costUsd };
}

function schemaFailure(error: string): ApplicationFailure {
  return ApplicationFailure.create({ message: `output does not match outputSchema: ${error}`, type: 'OutputSchemaMismatch', nonRetryable: true });
}

function sumUsage(a: BackendResult, b: BackendResult) {
  if (!a.usage && !b.usage) return undefined;
  return { inputTokens: (a.usage?.inputTokens ?? 0) + (b.usage?.inputTokens ?? 0), outputTokens: (a.usage?.outputTokens ?? 0) + (b.usage?.outputTokens ?? 0) };
}

async function existingDirectory(workdir: string): Promise<string> {
  const path = resolve(workdir);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw ApplicationFailure.create({ message: `workdir ${workdir} does not exist or is not a directory on this worker`, type: 'WorkdirMissing', nonRetryable: true });
  }
  return path;
}
