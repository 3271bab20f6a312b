// `dagent worker`: a standalone worker for the orchestrate workflow and its activities.
import { connectClient, resolveTemporal } from '../temporal/connect';
import { createWorker } from '../workers/createWorker';
import { loadConfig } from './config';
import { installQuietRuntime, logLine, resolveTaskQueue, type ConnectionFlags } from './shared';

export interface WorkerFlags extends ConnectionFlags {
  maxConcurrentActivities?: number;
}

export async function workerCommand(flags: WorkerFlags): Promise<number> {
  if (!process.env.ANTHROPIC_API_KEY) {
    logLine('dagent: warning: ANTHROPIC_API_KEY is not set; tasks that call the LLM will fail until this worker has it');
  }
  const taskQueue = resolveTaskQueue(flags.taskQueue, (await loadConfig()).config.taskQueue);
  installQuietRuntime();
  const target = await resolveTemporal({ address: flags.address, namespace: flags.namespace, profile: flags.profile, autoStart: false, log: logLine });
  // Fail here, clearly, if the server is not there, rather than inside the worker's poll loop.
  await (await connectClient(target)).connection.close();
  const { worker, close } = await createWorker({
    address: target.address,
    connection: target.connection,
    namespace: target.namespace,
    taskQueue,
    maxConcurrentActivities: flags.maxConcurrentActivities,
  });
  logLine(`dagent: worker polling task queue ${taskQueue} on ${target.address} (namespace ${target.namespace}); Ctrl-C stops it`);
  // The SDK shuts the worker down gracefully on SIGINT and SIGTERM.
  await worker.run();
  await close();
  return 0;
}
