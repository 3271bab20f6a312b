// Builds a dagent worker: the orchestrate workflow and its activities on the run's task queue,
// and/or the activities of skill queues (`<taskQueue>-<queue>`), one Temporal worker per queue.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { PayloadCodec } from '@temporalio/common';
import { createActivities } from '../activities';
import { backgroundFilingDone } from '../activities/backgroundFiling';
import { McpPool } from '../agent/mcpPool';
import { encryptionCodecFromSettings } from '../codec/encryptionCodec';
import { readDagentSettings } from '../settings/dagentSettings';
import { causeChain, describeConnectError, TemporalUnreachableError, type ConnectionSettings } from '../temporal/connect';
import { routeSdkWarnings } from '../llm/sdkWarnings';
import { llmSettingsFromEnv, type LlmSettings } from '../llm/settings';
import { scrubberFor } from '../secrets/scrubber';
import { shellBaseEnv } from '../secrets/shellEnv';
import { resultStoreFromEnv, type ResultStore } from '../store/resultStore';
import { scrubbingStore } from '../store/scrubbingStore';
import { RecentWrites, rememberingStore } from '../store/recentWrites';
import { skillTaskQueue } from '../plan/skillQueue';
import { taskAttemptSignal } from '../workflows/messages';
import { runResultReader } from './runResultOf';
import { scrubInterceptor } from './scrubInterceptor';
import { workerHealth, type WorkerHealth } from './workerHealth';
import { buildIdOf } from './buildId';
import type { Tracing } from '../telemetry/tracing';
import { workflowCode } from './workflowsPath';
export { WorkerRoleError } from './workerRoleError';
import { WorkerRoleError } from './workerRoleError';


export interface DagentWorkerOptions {
  address: string;
  /** TLS, API key and metadata for both connections (from the envconfig profile); default: the address alone. */
  connection?: ConnectionSettings;
  namespace: string;
  taskQueue: string;
  /** Activities at once on each task queue this worker serves (default 16). */
  maxConcurrentActivities?: number;
  /** Serve the workflows on taskQueue (default true). */
  workflows?: boolean;
  /** Serve the activities of taskQueue itself (default true). */
  defaultActivities?: boolean;
  /** Skill queues whose activities this worker serves, each with its own concurrency. */
  queues?: SkillQueueServed[];
  /** Threads that run workflow code (the SDK's default is 2; one is plenty for a single CLI run, and starts sooner). */
  workflowThreads?: number;
  /** A prebuilt workflow bundle (tests build one once); default: dist/'s, or the sources bundled now. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  llm?: LlmSettings;
  store?: ResultStore;
  identity?: string;
  /** Payload codec (encryption); default: from DAGENT_ENCRYPTION_KEY, if set. */
  codec?: PayloadCodec;
  /** The worker's environment: its secrets are scrubbed, shell tasks see its allow-listed part. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /**
   * Worker Versioning: this worker is build `buildId` (default: a hash of its workflow bundle) of
   * the worker deployment `name`, and the runs it starts stay PINNED to it, so a new version's
   * workflow code never replays a run begun on the old one.
   */
  deployment?: { name: string; buildId?: string };
  /** Traces (OpenTelemetry); default: from OTEL_EXPORTER_OTLP_ENDPOINT, if set. The workflow bundle must then be the traced one. */
  tracing?: Tracing;
  /** The worker's log, for events an operator should see (the circuit breaker opening and closing). */
  log?: (line: string) => void;
}

export interface SkillQueueServed {
  name: string;
  maxConcurrentActivities?: number;
}

export interface DagentWorker {
  /** The first of `workers`: the one on taskQueue when it serves it. */
  worker: Worker;
  /** One Temporal worker per task queue served. */
  workers: Worker[];
  /** The Temporal task queues polled, in the order of `workers`. */
  taskQueues: string[];
  /** Its worker deployment version, when it runs with Worker Versioning. */
  version?: { deploymentName: string; buildId: string };
  /** Whether every Temporal worker runs and no poller failed (for /healthz). */
  health(): WorkerHealth;
  /** Runs every worker until all stop; one failing stops the others. */
  run(): Promise<void>;
  shutdown(): void;
  close(): Promise<void>;
}

/** How long a closing worker waits for writes still to be filed in the background (see backgroundFiling.ts). */
const FILING_ON_CLOSE_MS = 10_000;

export async function createWorker(options: DagentWorkerOptions): Promise<DagentWorker> {
  const serveWorkflows = options.workflows ?? true;
  const serveDefault = options.defaultActivities ?? true;
  if (!serveWorkflows && !serveDefault && (options.queues ?? []).length === 0) {
    throw new WorkerRoleError('this worker would poll nothing: give it skill queues (--queue), or let it serve the workflows or the default activities');
  }
  const env = options.env ?? process.env;
  // Read once for this worker; a bad DAGENT_* variable stops it here, named.
  const dagent = readDagentSettings(env);
  const codec = options.codec ?? encryptionCodecFromSettings(dagent);
  const dataConverter = codec ? { payloadCodecs: [codec] } : undefined;
  const settings = options.connection ?? { address: options.address };
  const [connection, clientConnection] = await Promise.all([NativeConnection.connect(settings), Connection.connect(settings)]).catch((err: unknown) => {
    throw new TemporalUnreachableError(settings.address, describeConnectError(causeChain(err)));
  });
  const client = new Client({ connection: clientConnection, namespace: options.namespace, dataConverter });
  // The SDK's console warnings (deprecated models) go to this worker's log, never the CLI's table.
  routeSdkWarnings();
  const llm = options.llm ?? llmSettingsFromEnv(env, dagent);
  // Every secret this worker holds, from its environment and its settings.
  const scrubber = scrubberFor(env, llm.apiKey ? [{ name: 'ANTHROPIC_API_KEY', value: llm.apiKey }] : []);
  const shellEnv = shellBaseEnv(env, dagent.shellEnv);
  const mcp = new McpPool(shellEnv);
  const recent = new RecentWrites();
  const activities = createActivities({
    llm,
    mcp,
    store: scrubbingStore(rememberingStore(options.store ?? resultStoreFromEnv(env, dagent), recent), scrubber),
    recent,
    shellEnv,
    onBreakerChange: (provider, state, detail) => options.log?.(`dagent: circuit breaker for ${provider} ${state}: ${detail}`),
    runResultOf: runResultReader(client, options.namespace),
    notifyAttempt: (workflowId, runId, notice) => client.workflow.getHandle(workflowId, runId).signal(taskAttemptSignal, scrubber.scrubDeep(notice)),
  });
  // Tracing: activity spans and the workflow's span exporter (the OTel SDK is loaded only then).
  const tracing = options.tracing ?? (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? (await import('../telemetry/tracing')).tracingFromEnv(env, 'dagent-worker') : undefined);
  const traced = tracing ? (await import('../telemetry/tracing')).tracingWorkerParts(tracing) : undefined;
  const common = {
    connection,
    namespace: options.namespace,
    dataConverter,
    interceptors: { activity: [...(traced ? [traced.activity] : []), scrubInterceptor(scrubber)] },
    ...(traced ? { sinks: traced.sinks } : {}),
    // Cancellation (failFast, a cancelled run) reaches a task through its heartbeats: send them
    // often enough that a cancelled task's processes stop within seconds.
    maxHeartbeatThrottleInterval: '2s',
    defaultHeartbeatThrottleInterval: '2s',
    ...(options.identity ? { identity: options.identity } : {}),
  } satisfies Partial<WorkerOptions>;
  const workers: Worker[] = [];
  const taskQueues: string[] = [];
  const code: ReturnType<typeof workflowCode> | undefined = !serveWorkflows ? undefined : options.workflowBundle ? { workflowBundle: options.workflowBundle } : workflowCode({ traced: tracing !== undefined });
  // A worker without the workflows is still the build of the bundle it ships with.
  const version = options.deployment ? await deploymentVersion(options.deployment, code?.workflowBundle ?? options.workflowBundle ?? shippedBundle()) : undefined;
  const versioning = version ? { workerDeploymentOptions: { version, useWorkerVersioning: true as const, defaultVersioningBehavior: 'PINNED' as const } } : {};
  if (serveWorkflows || serveDefault) {
    const { workflowModules, ...bundle } = code ?? {};
    workers.push(
      await Worker.create({
        ...common,
        ...versioning,
        ...(workflowModules ? { interceptors: { ...common.interceptors, workflowModules } } : {}),
        taskQueue: options.taskQueue,
        ...(serveDefault ? { activities, maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities ?? 16 } : {}),
        ...bundle,
        ...(serveWorkflows && options.workflowThreads ? { workflowThreadPoolSize: options.workflowThreads } : {}),
      }),
    );
    taskQueues.push(options.taskQueue);
  }
  for (const queue of options.queues ?? []) {
    const taskQueue = skillTaskQueue(options.taskQueue, queue.name);
    workers.push(await Worker.create({ ...common, ...versioning, taskQueue, activities, maxConcurrentActivityTaskExecutions: queue.maxConcurrentActivities ?? options.maxConcurrentActivities ?? 16 }));
    taskQueues.push(taskQueue);
  }
  return {
    worker: workers[0]!,
    workers,
    taskQueues,
    ...(version ? { version } : {}),
    health: () => workerHealth(workers.map((w, i) => ({ taskQueue: taskQueues[i]!, status: w.getStatus() }))),
    async run() {
      const running = workers.map((w) => w.run());
      try {
        await Promise.all(running);
      } catch (err) {
        for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
        await Promise.allSettled(running);
        throw err;
      }
    },
    shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    },
    async close() {
      // What waits to be filed (for the cross-run cache, the duration memo) is filed before the worker goes.
      const unfiled = await backgroundFilingDone(FILING_ON_CLOSE_MS);
      if (unfiled > 0) options.log?.(`dagent: ${unfiled} writes (outputs filed for reuse, task durations) were not made within ${FILING_ON_CLOSE_MS / 1000} s of closing: later runs will run those tasks again or know less of their durations`);
      await mcp.close();
      await clientConnection.close();
      await connection.close();
    },
  };
}

/** The deployment version: the build id given, else the hash of the workflow bundle. */
async function deploymentVersion(deployment: { name: string; buildId?: string }, bundle: WorkerOptions['workflowBundle']): Promise<{ deploymentName: string; buildId: string }> {
  const buildId = deployment.buildId ?? (await buildIdOf(bundle));
  if (!buildId) throw new WorkerRoleError('a versioned worker needs a build id: give --build-id (running from the sources, there is no prebuilt bundle to hash)');
  return { deploymentName: deployment.name, buildId };
}

function shippedBundle(): WorkerOptions['workflowBundle'] {
  try {
    return workflowCode().workflowBundle;
  } catch {
    return undefined;
  }
}
