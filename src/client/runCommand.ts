// `dagent run`: start the orchestrate workflow from a goal or a plan file (with a worker in this
// process unless told otherwise), show progress, print the results, exit with a meaningful code.
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { describePlan } from '../plan/planLayers';
import { DEFAULT_OPTIONS, OrchestrateInputSchema, type OrchestrateInput, type Plan } from '../plan/schema';
import { statusViewOf, type RunResult } from '../run/types';
import { writePagedJson } from '../store/pagedJson';
import { keySegment, resultStoreFromEnv } from '../store/resultStore';
import { INLINE_JSON_CHARS } from '../text/pages';
import { hasDagentSearchAttributes } from '../temporal/connect';
import { statusQuery } from '../workflows/messages';
import { orchestrate } from '../workflows/orchestrate';
import { buildRunInput, needsAnthropicKey, type RunInputFlags } from './buildRunInput';
import { earlierDurationsOf } from './earlierDurations';
import { loadConfig } from './config';
import { CliError, EXIT, exitCodeOf } from './exitCodes';
import { printResult, type PrintFlags } from './printResult';
import { ProgressView } from './progress';
import { logLine, resolveTaskQueue, type ConnectionFlags } from './shared';
import { inProcessSlots, MAX_IN_PROCESS_SLOTS, openSession } from './temporalSession';
import { markWorkerWaits } from './workerWaits';
import { dagentSettings } from '../settings/dagentSettings';

export interface StartFlags extends ConnectionFlags, PrintFlags {
  worker: boolean;
  workflowId?: string;
}

export interface RunFlags extends StartFlags, RunInputFlags {
  dryRun?: boolean;
}

export async function runCommand(goal: string | undefined, flags: RunFlags): Promise<number> {
  if (goal === undefined && flags.file === undefined) throw new CliError('give a goal, or a plan with --file FILE (or --file - for standard input)', EXIT.usage);
  const { config } = await loadConfig();
  // A goal is planned for the current directory by default; a plan file's tasks get a workspace only when asked.
  const workdir = flags.file === undefined ? planningWorkdir(flags) : flags.workdir && resolve(flags.workdir);
  const input = await buildRunInput(goal, { ...flags, workdir }, config);
  const parsed = OrchestrateInputSchema.safeParse(input);
  if (!parsed.success) {
    throw new CliError(`invalid input:\n${parsed.error.issues.map((i) => `- ${i.path.join('.')}: ${i.message}`).join('\n')}`, EXIT.usage);
  }
  if (flags.dryRun) {
    if (input.plan === undefined) throw new CliError('--dry-run needs a plan (--file); a goal is planned only when the run starts', EXIT.usage);
    const plan = input.plan as Plan;
    const earlierMs = await earlierDurationsOf(plan, input.options?.model);
    process.stdout.write(`${describePlan(plan, { ...input.options, earlierMs })}\nDry run: nothing was started.\n`);
    return EXIT.ok;
  }
  return startRun(input, flags, config.taskQueue, goal ?? (input.plan as Plan).goal ?? 'plan');
}

/**
 * Starts the orchestrate workflow with this input (and a worker in this process unless
 * --no-worker), follows it with the live table, prints the result; the exit code says how it ended.
 */
export async function startRun(input: OrchestrateInput, flags: StartFlags, configTaskQueue: string | undefined, name: string): Promise<number> {
  // The in-process worker is the one that calls the LLM: fail now, not after a round trip.
  if (flags.worker && needsAnthropicKey(input) && !process.env.ANTHROPIC_API_KEY) {
    throw new CliError('ANTHROPIC_API_KEY is not set: export it (or run with --no-worker and a worker that has it)', EXIT.usage);
  }

  const taskQueue = resolveTaskQueue(flags.taskQueue, configTaskQueue);
  const maxParallel = input.options?.maxParallel ?? (input.plan as Plan | undefined)?.maxParallel ?? DEFAULT_OPTIONS.maxParallel;
  if (flags.worker && maxParallel > MAX_IN_PROCESS_SLOTS) {
    logLine(`dagent: warning: this process's worker runs at most ${MAX_IN_PROCESS_SLOTS} tasks at once, below maxParallel ${maxParallel}; add workers (dagent worker) for more`);
  }
  // The run starts while this process's worker is still being created: it picks the run up the
  // moment it polls.
  const session = await openSession({ ...flags, taskQueue, maxConcurrentActivities: inProcessSlots(maxParallel), workerInBackground: true });
  const workflowId = flags.workflowId ?? `dagent-${slug(name)}-${randomBytes(3).toString('hex')}`;
  const onInterrupt = () => {
    logLine(detachMessage(workflowId, session.target.namespace, taskQueue));
    const deadline = new Promise((resolve) => setTimeout(resolve, 10_000).unref());
    void Promise.race([session.close(), deadline]).finally(() => process.exit(EXIT.interrupted));
  };
  process.once('SIGINT', onInterrupt);
  try {
    if (await hasDagentSearchAttributes(session.client, session.target.namespace)) input.options = { ...input.options, searchAttributes: true };
    const handle = await session.client.workflow.start(orchestrate, { taskQueue, workflowId, args: [await planByReference(input, workflowId)] });
    await session.workerReady.catch(async (err: unknown) => {
      // Nothing has run yet: end the run rather than leave it waiting for a worker that never came.
      await handle.terminate(`the worker of the dagent CLI could not start: ${(err as Error).message}`).catch(() => undefined);
      throw err;
    });
    if (!flags.json && !flags.quiet) logLine(`dagent: started workflow ${workflowId} on task queue ${taskQueue}`);
    const result = await awaitWithProgress(session.client, handle, !flags.json && !flags.quiet);
    if (result.planCached && !flags.json && !flags.quiet) logLine('dagent: reused the cached plan for this goal (--no-cache plans anew)');
    if (result.budgetExceeded && !flags.json) logLine(`dagent: budget exceeded (${result.budgetExceeded}); tasks not started were skipped`);
    await printResult(result, flags);
    return exitCodeOf(result);
  } catch (err) {
    if (err instanceof WorkflowFailedError) {
      const cause = err.cause?.message ?? err.message;
      throw new CliError(`run ${workflowId} failed: ${cause}`, isCancelled(err) ? EXIT.cancelled : EXIT.runFailed);
    }
    throw err;
  } finally {
    process.off('SIGINT', onInterrupt);
    await session.close();
  }
}

/**
 * A big plan goes to the result store and the run gets a reference to it: the workflow input
 * stays far below Temporal's payload limits. The workers must share this store (the local
 * folder on this machine, or S3).
 */
async function planByReference(input: OrchestrateInput, workflowId: string): Promise<OrchestrateInput> {
  if (input.plan === undefined || JSON.stringify(input.plan).length <= INLINE_JSON_CHARS) return input;
  const { plan, ...rest } = input;
  return { ...rest, planRef: await writePagedJson(resultStoreFromEnv(), `${keySegment(workflowId)}/plan`, plan) };
}

async function awaitWithProgress(client: Client, handle: WorkflowHandle<typeof orchestrate>, showProgress: boolean): Promise<RunResult> {
  const view = new ProgressView();
  let polling = showProgress;
  let startedAt = Date.now();
  const poll = async () => {
    while (polling) {
      try {
        const status = await markWorkerWaits(client, handle, await handle.query(statusQuery), dagentSettings().workerWaitMs);
        startedAt = status.startedAt;
        if (polling) view.update(status);
      } catch {
        // The first workflow task may not have run yet, or the run just ended.
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  const poller = poll();
  try {
    const result = await handle.result();
    polling = false;
    await poller;
    // A last frame from the result itself, so a run faster than one poll still shows its table.
    if (showProgress) view.update(statusViewOf(result, startedAt));
    return result;
  } finally {
    polling = false;
    await poller;
  }
}

export function detachMessage(workflowId: string, namespace: string, taskQueue: string): string {
  return [
    '',
    `dagent: stopped watching; the run ${workflowId} goes on in Temporal.`,
    `  watch it:     temporal workflow describe --namespace ${namespace} --workflow-id ${workflowId}`,
    `                or the Web UI: http://localhost:8233/namespaces/${namespace}/workflows/${workflowId}`,
    `  its result:   temporal workflow result --namespace ${namespace} --workflow-id ${workflowId}`,
    `  keep it running: a worker must serve task queue ${taskQueue}: npx dagent worker --task-queue ${taskQueue}`,
  ].join('\n');
}

function isCancelled(err: WorkflowFailedError): boolean {
  return err.cause?.name === 'CancelledFailure' || err.cause?.name === 'TerminatedFailure';
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 32).replace(/-+$/, '') || 'run';
}

/**
 * The folder the planner is shown: --workdir, else the current directory when this process runs
 * the worker (a worker elsewhere may not have this path, so then only an explicit --workdir).
 */
export function planningWorkdir(flags: { workdir?: string; worker: boolean }): string | undefined {
  if (flags.workdir) return resolve(flags.workdir);
  return flags.worker ? process.cwd() : undefined;
}
