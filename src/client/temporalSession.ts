// A command's time with Temporal: resolve the server, connect, and optionally run a worker in
// this process until the command is done.
import type { Client } from '@temporalio/client';
import { connectClient, resolveTemporal, type TemporalTarget } from '../temporal/connect';
import type { DagentWorker } from '../workers/createWorker';
import { logLine, type ConnectionFlags } from './shared';

export interface TemporalSession {
  client: Client;
  target: TemporalTarget;
  /** Resolves once the in-process worker runs (at once without one); rejects when it cannot start. */
  workerReady: Promise<void>;
  /** Stops the in-process worker (handing its tasks back to Temporal) and closes connections. */
  close(): Promise<void>;
}

/** The most activity slots the in-process worker takes, whatever the run's maxParallel. */
export const MAX_IN_PROCESS_SLOTS = 200;

/**
 * Activity slots for the in-process worker of a run with this maxParallel: at least the SDK-ish
 * default of 16 (agent tool calls and sub-plans run activities too), at least maxParallel, at most
 * MAX_IN_PROCESS_SLOTS.
 */
export function inProcessSlots(maxParallel: number): number {
  return Math.min(MAX_IN_PROCESS_SLOTS, Math.max(16, maxParallel));
}

/**
 * `workerInBackground`: return once the client is connected and let the worker start meanwhile
 * (loading and creating it takes most of a second), so the caller can start its workflow at the
 * same time; the caller must then await `workerReady`.
 */
export async function openSession(
  flags: ConnectionFlags & { worker: boolean; taskQueue: string; maxConcurrentActivities?: number; workerInBackground?: boolean },
): Promise<TemporalSession> {
  // Loaded only when this process runs a worker (a command without one never loads the Temporal
  // worker), and from the start, while the client connects.
  const workerModules = flags.worker ? Promise.all([import('../workers/createWorker'), import('./quietRuntime')]) : undefined;
  workerModules?.catch(() => undefined);
  const target = await resolveTemporal({ address: flags.address, namespace: flags.namespace, profile: flags.profile, autoStart: true, log: logLine });
  // With OTEL_EXPORTER_OTLP_ENDPOINT set, starting the run opens its trace (the OTel SDK loads only then).
  const tracing = process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? await import('../telemetry/tracing') : undefined;
  const traced = tracing?.tracingFromEnv(process.env, 'dagent');
  if (traced) tracing!.installTracing(traced);
  const client = await connectClient(target, undefined, tracing ? tracing.tracingClientInterceptors() : undefined);
  let worker: DagentWorker | undefined;
  let running: Promise<void> | undefined;
  const workerReady = workerModules
    ? (async () => {
        const [{ createWorker }, { installQuietRuntime }] = await workerModules;
        installQuietRuntime({ ownSignals: true });
        worker = await createWorker({
          address: target.address,
          connection: target.connection,
          namespace: target.namespace,
          taskQueue: flags.taskQueue,
          maxConcurrentActivities: flags.maxConcurrentActivities,
          // One run (and its agent children) needs one thread; a second would only slow the start.
          workflowThreads: 1,
          ...(traced ? { tracing: traced } : {}),
        });
        running = worker.run();
      })()
    : Promise.resolve();
  // Handled by whoever awaits it; a worker that failed to start has nothing to close.
  workerReady.catch(() => undefined);
  if (!flags.workerInBackground) await workerReady;
  let closing: Promise<void> | undefined;
  return {
    client,
    target,
    workerReady,
    close() {
      closing ??= (async () => {
        await workerReady.catch(() => undefined);
        if (worker) {
          worker.shutdown();
          await running;
          await worker.close();
        }
        await client.connection.close();
        await tracing?.flushTracing();
      })();
      return closing;
    },
  };
}
