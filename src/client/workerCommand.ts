// `dagent worker`: a standalone worker. By default it serves the orchestrate workflow and the
// activities of its task queue; `--queue` makes it a skill worker for those queues only;
// `--no-activities` serves the workflows alone.
import { connectClient, resolveTemporal } from '../temporal/connect';
import { skillTaskQueue } from '../plan/skillQueue';
import { createWorker, type SkillQueueServed } from '../workers/createWorker';
import { loadConfig } from './config';
import { installQuietRuntime } from './quietRuntime';
import { CliError, EXIT } from './exitCodes';
import { dagentSettings } from '../settings/dagentSettings';
import { freePort } from '../temporal/devServer';
import { startMetricsServer } from '../workers/metricsServer';
import { logLine, resolveTaskQueue, type ConnectionFlags } from './shared';

export interface WorkerFlags extends ConnectionFlags {
  maxConcurrentActivities?: number;
  queue?: SkillQueueServed[];
  /** false with --no-activities. */
  activities?: boolean;
  /** With --queue: serve the run queue too (workflows and default activities). */
  serveRuns?: boolean;
  /** /metrics and /healthz on this port, all interfaces (else DAGENT_METRICS_BIND, else none). */
  metricsPort?: number;
  /** Worker Versioning: the deployment this worker belongs to, and its build id. */
  deployment?: string;
  buildId?: string;
}

export async function workerCommand(flags: WorkerFlags): Promise<number> {
  if (flags.buildId !== undefined && flags.deployment === undefined) throw new CliError('--build-id needs --deployment: the worker deployment the build belongs to', EXIT.usage);
  const queues = flags.queue ?? [];
  const serveRuns = queues.length === 0 || flags.serveRuns === true;
  const serveWorkflows = serveRuns || flags.activities === false;
  const serveDefault = serveRuns && flags.activities !== false;
  if ((serveDefault || queues.length > 0) && !process.env.ANTHROPIC_API_KEY) {
    logLine('dagent: warning: ANTHROPIC_API_KEY is not set; tasks that call the LLM will fail until this worker has it');
  }
  const taskQueue = resolveTaskQueue(flags.taskQueue, (await loadConfig()).config.taskQueue);
  const metricsBind = flags.metricsPort !== undefined ? `0.0.0.0:${flags.metricsPort}` : dagentSettings().metricsBind;
  // The SDK's exporter listens inside; the metrics port passes /metrics through and adds /healthz.
  const sdkExporter = metricsBind ? `127.0.0.1:${await freePort()}` : undefined;
  installQuietRuntime(sdkExporter ? { prometheusBind: sdkExporter } : {});
  const target = await resolveTemporal({ address: flags.address, namespace: flags.namespace, profile: flags.profile, autoStart: false, log: logLine });
  // Fail here, clearly, if the server is not there, rather than inside the worker's poll loop.
  await (await connectClient(target)).connection.close();
  const worker = await createWorker({
    address: target.address,
    connection: target.connection,
    namespace: target.namespace,
    taskQueue,
    maxConcurrentActivities: flags.maxConcurrentActivities,
    workflows: serveWorkflows,
    defaultActivities: serveDefault,
    queues,
    log: logLine,
    ...(flags.deployment ? { deployment: { name: flags.deployment, ...(flags.buildId ? { buildId: flags.buildId } : {}) } } : {}),
  });
  const runQueueRole = serveWorkflows && serveDefault ? 'workflows and activities' : serveWorkflows ? 'workflows only' : undefined;
  const served = [
    ...(runQueueRole ? [`${taskQueue} (${runQueueRole})`] : []),
    ...queues.map((q) => `${skillTaskQueue(taskQueue, q.name)} (activities${q.maxConcurrentActivities ? `, ${q.maxConcurrentActivities} at once` : ''})`),
  ];
  const metrics = metricsBind && sdkExporter ? await startMetricsServer({ bind: metricsBind, sdkExporter, health: () => worker.health() }) : undefined;
  logLine(`dagent: worker polling task queue ${served.join(', ')} on ${target.address} (namespace ${target.namespace}); Ctrl-C stops it`);
  if (worker.version) logLine(`dagent: worker deployment ${worker.version.deploymentName}, build ${worker.version.buildId} (runs stay pinned to the build they began on; make it current with: dagent deploy promote ${worker.version.buildId} --deployment ${worker.version.deploymentName})`);
  if (metrics) logLine(`dagent: metrics on http://${metrics.address}/metrics, health on http://${metrics.address}/healthz`);
  try {
    // The SDK shuts the workers down gracefully on SIGINT and SIGTERM.
    await worker.run();
  } finally {
    await metrics?.close();
    await worker.close();
  }
  return 0;
}
