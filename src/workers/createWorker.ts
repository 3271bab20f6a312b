// Builds a dagent worker: the orchestrate workflow and its activities on one task queue.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import type { PayloadCodec } from '@temporalio/common';
import { createActivities } from '../activities';
import { McpPool } from '../agent/mcpPool';
import { encryptionCodecFromEnv } from '../codec/encryptionCodec';
import { causeChain, describeConnectError, TemporalUnreachableError, type ConnectionSettings } from '../temporal/connect';
import { routeSdkWarnings } from '../llm/sdkWarnings';
import { llmSettingsFromEnv, type LlmSettings } from '../llm/settings';
import { scrubberFor } from '../secrets/scrubber';
import { shellBaseEnv } from '../secrets/shellEnv';
import { resultStoreFromEnv, type ResultStore } from '../store/resultStore';
import { scrubbingStore } from '../store/scrubbingStore';
import { taskAttemptSignal } from '../workflows/messages';
import { scrubInterceptor } from './scrubInterceptor';

export const DEFAULT_TASK_QUEUE = 'dagent';
export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface DagentWorkerOptions {
  address: string;
  /** TLS, API key and metadata for both connections (from the envconfig profile); default: the address alone. */
  connection?: ConnectionSettings;
  namespace: string;
  taskQueue: string;
  maxConcurrentActivities?: number;
  /** A prebuilt workflow bundle (tests build one once); otherwise the workflows are bundled now. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  llm?: LlmSettings;
  store?: ResultStore;
  identity?: string;
  /** Payload codec (encryption); default: from DAGENT_ENCRYPTION_KEY, if set. */
  codec?: PayloadCodec;
  /** The worker's environment: its secrets are scrubbed, shell tasks see its allow-listed part. Default: process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface DagentWorker {
  worker: Worker;
  close(): Promise<void>;
}

export async function createWorker(options: DagentWorkerOptions): Promise<DagentWorker> {
  const codec = options.codec ?? encryptionCodecFromEnv();
  const dataConverter = codec ? { payloadCodecs: [codec] } : undefined;
  const settings = options.connection ?? { address: options.address };
  const [connection, clientConnection] = await Promise.all([NativeConnection.connect(settings), Connection.connect(settings)]).catch((err: unknown) => {
    throw new TemporalUnreachableError(settings.address, describeConnectError(causeChain(err)));
  });
  const client = new Client({ connection: clientConnection, namespace: options.namespace, dataConverter });
  // The SDK's console warnings (deprecated models) go to this worker's log, never the CLI's table.
  routeSdkWarnings();
  const env = options.env ?? process.env;
  const llm = options.llm ?? llmSettingsFromEnv(env);
  // Every secret this worker holds, from its environment and its settings.
  const scrubber = scrubberFor(env, llm.apiKey ? [{ name: 'ANTHROPIC_API_KEY', value: llm.apiKey }] : []);
  const shellEnv = shellBaseEnv(env);
  const mcp = new McpPool(shellEnv);
  const activities = createActivities({
    llm,
    mcp,
    store: scrubbingStore(options.store ?? resultStoreFromEnv(env), scrubber),
    shellEnv,
    notifyAttempt: (workflowId, runId, notice) => client.workflow.getHandle(workflowId, runId).signal(taskAttemptSignal, scrubber.scrubDeep(notice)),
  });
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    dataConverter,
    interceptors: { activity: [scrubInterceptor(scrubber)] },
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities ?? 16,
    // Cancellation (failFast, a cancelled run) reaches a task through its heartbeats: send them
    // often enough that a cancelled task's processes stop within seconds.
    maxHeartbeatThrottleInterval: '2s',
    defaultHeartbeatThrottleInterval: '2s',
    ...(options.identity ? { identity: options.identity } : {}),
  });
  return {
    worker,
    async close() {
      await mcp.close();
      await clientConnection.close();
      await connection.close();
    },
  };
}
