// `dagent run "goal"`: start the orchestrate workflow (with a worker in this process unless told
// otherwise), show progress, print the report or the RunResult, exit with a meaningful code.
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import type { OrchestrateInput, RunOptions } from '../plan/schema';
import { OrchestrateInputSchema } from '../plan/schema';
import { countStatuses, type RunResult } from '../run/types';
import { statsLine } from '../report/statusTable';
import { connectClient, resolveTemporal } from '../temporal/connect';
import { createWorker, type DagentWorker } from '../workers/createWorker';
import { statusQuery } from '../workflows/messages';
import { CliError, EXIT } from './exitCodes';
import { ProgressView } from './progress';
import { installQuietRuntime, logLine, type ConnectionFlags } from './shared';

export interface RunFlags extends ConnectionFlags {
  maxParallel?: number;
  failFast?: boolean;
  model?: string;
  json?: boolean;
  worker: boolean;
  workflowId?: string;
}

export async function runCommand(goal: string, flags: RunFlags): Promise<number> {
  const options: RunOptions = {
    maxParallel: flags.maxParallel,
    failFast: flags.failFast,
    model: flags.model ?? (process.env.DAGENT_MODEL || undefined),
  };
  const input: OrchestrateInput = { goal, options: dropUndefined(options) };
  const parsed = OrchestrateInputSchema.safeParse(input);
  if (!parsed.success) {
    throw new CliError(`invalid input:\n${parsed.error.issues.map((i) => `- ${i.path.join('.')}: ${i.message}`).join('\n')}`, EXIT.usage);
  }
  // The in-process worker is the one that calls the LLM: fail now, not after a round trip.
  if (flags.worker && !process.env.ANTHROPIC_API_KEY) {
    throw new CliError('ANTHROPIC_API_KEY is not set: export it (or run with --no-worker and a worker that has it)', EXIT.usage);
  }

  installQuietRuntime({ ownSignals: true });
  const target = await resolveTemporal({ address: flags.address, namespace: flags.namespace, autoStart: true, log: logLine });
  const client = await connectClient(target);
  let worker: DagentWorker | undefined;
  let workerRun: Promise<void> | undefined;
  if (flags.worker) {
    worker = await createWorker({ address: target.address, namespace: target.namespace, taskQueue: flags.taskQueue });
    workerRun = worker.worker.run();
  }

  const workflowId = flags.workflowId ?? `dagent-${slug(goal)}-${randomBytes(3).toString('hex')}`;
  const handle = await client.workflow.start('orchestrate', { taskQueue: flags.taskQueue, workflowId, args: [input] });
  if (!flags.json) logLine(`dagent: started workflow ${workflowId} on task queue ${flags.taskQueue}`);

  const onInterrupt = () => {
    logLine(detachMessage(workflowId, target.namespace, flags.taskQueue));
    // Stopping the worker hands its in-flight tasks back to Temporal at once, so another worker
    // retries them without waiting for a heartbeat timeout.
    const stopped = worker ? (worker.worker.shutdown(), workerRun) : Promise.resolve();
    const deadline = new Promise((resolve) => setTimeout(resolve, 10_000).unref());
    void Promise.race([stopped, deadline]).finally(() => process.exit(EXIT.interrupted));
  };
  process.once('SIGINT', onInterrupt);

  try {
    const result = await awaitWithProgress(handle, !flags.json);
    if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else {
      process.stdout.write(`${result.report}\n`);
      logLine(statsLine(result.stats));
    }
    return result.status === 'Completed' ? EXIT.ok : EXIT.runFailed;
  } catch (err) {
    if (err instanceof WorkflowFailedError) {
      const cause = err.cause instanceof ApplicationFailure || err.cause instanceof Error ? err.cause.message : String(err.cause ?? err.message);
      throw new CliError(`run ${workflowId} failed: ${cause}`, isCancelled(err) ? EXIT.cancelled : EXIT.runFailed);
    }
    throw err;
  } finally {
    process.off('SIGINT', onInterrupt);
    if (worker) {
      worker.worker.shutdown();
      await workerRun;
      await worker.close();
    }
    await client.connection.close();
  }
}

async function awaitWithProgress(handle: WorkflowHandle, showProgress: boolean): Promise<RunResult> {
  const view = new ProgressView();
  let polling = showProgress;
  let startedAt = Date.now();
  const poll = async () => {
    while (polling) {
      try {
        const status = await handle.query(statusQuery);
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
    const result = (await handle.result()) as RunResult;
    polling = false;
    await poller;
    // A last frame from the result itself, so a run faster than one poll still shows its table.
    if (showProgress) view.update({ workflowId: result.workflowId, phase: result.status, goal: result.goal, startedAt, counts: countStatuses(result.tasks), tasks: result.tasks });
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

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
