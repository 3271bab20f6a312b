// A command's time with Temporal: resolve the server, connect, and optionally run a worker in
// this process until the command is done.
import type { Client } from '@temporalio/client';
import { connectClient, resolveTemporal, type TemporalTarget } from '../temporal/connect';
import type { DagentWorker } from '../workers/createWorker';
import { logLine, type ConnectionFlags } from './shared';

export interface TemporalSession {
  client: Client;
  target: TemporalTarget;
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

export async function openSession(flags: ConnectionFlags & { worker: boolean; taskQueue: string; maxConcurrentActivities?: number }): Promise<TemporalSession> {
  const target = await resolveTemporal({ address: flags.address, namespace: flags.namespace, profile: flags.profile, autoStart: true, log: logLine });
  const client = await connectClient(target);
  let worker: DagentWorker | undefined;
  let running: Promise<void> | undefined;
  if (flags.worker) {
    // Loaded only here: a command without a worker never loads the Temporal worker (seconds less).
    const [{ createWorker }, { installQuietRuntime }] = await Promise.all([import('../workers/createWorker'), import('./quietRuntime')]);
    installQuietRuntime({ ownSignals: true });
    worker = await createWorker({ address: target.address, connection: target.connection, namespace: target.namespace, taskQueue: flags.taskQueue, maxConcurrentActivities: flags.maxConcurrentActivities });
    running = worker.run();
  }
  let closing: Promise<void> | undefined;
  return {
    client,
    target,
    close() {
      closing ??= (async () => {
        if (worker) {
          worker.shutdown();
          await running;
          await worker.close();
        }
        await client.connection.close();
      })();
      return closing;
    },
  };
}
