// A command's time with Temporal: resolve the server, connect, and optionally run a worker in
// this process until the command is done.
import type { Client } from '@temporalio/client';
import { connectClient, resolveTemporal, type TemporalTarget } from '../temporal/connect';
import { createWorker, type DagentWorker } from '../workers/createWorker';
import { installQuietRuntime, logLine, type ConnectionFlags } from './shared';

export interface TemporalSession {
  client: Client;
  target: TemporalTarget;
  /** Stops the in-process worker (handing its tasks back to Temporal) and closes connections. */
  close(): Promise<void>;
}

export async function openSession(flags: ConnectionFlags & { worker: boolean; taskQueue: string }): Promise<TemporalSession> {
  installQuietRuntime({ ownSignals: true });
  const target = await resolveTemporal({ address: flags.address, namespace: flags.namespace, profile: flags.profile, autoStart: true, log: logLine });
  const client = await connectClient(target);
  let worker: DagentWorker | undefined;
  let running: Promise<void> | undefined;
  if (flags.worker) {
    worker = await createWorker({ address: target.address, connection: target.connection, namespace: target.namespace, taskQueue: flags.taskQueue });
    running = worker.worker.run();
  }
  let closing: Promise<void> | undefined;
  return {
    client,
    target,
    close() {
      closing ??= (async () => {
        if (worker) {
          worker.worker.shutdown();
          await running;
          await worker.close();
        }
        await client.connection.close();
      })();
      return closing;
    },
  };
}
