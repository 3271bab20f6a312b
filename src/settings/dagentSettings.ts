// dagent's own settings, from DAGENT_* environment variables: every one is named, typed and
// checked here, once per process, and a bad value is an error that names the variable to fix.
// (Temporal's connection comes from @temporalio/envconfig; AWS's from the AWS SDK; ANTHROPIC_*
// from the worker's environment in llm/settings.) DAGENT_PROCESS_TAG is not a setting: the
// process supervisor sets it on a task's processes to find them again.
import { z } from 'zod';
import { durationToMs } from '../plan/schema';

export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface DagentSettings {
  /** DAGENT_MODEL: the model of tasks and planning that name none. */
  model?: string;
  /** DAGENT_LLM_REQUEST_TIMEOUT_MS: one HTTP request to the LLM (default 10 minutes). */
  llmRequestTimeoutMs: number;
  /** DAGENT_TASK_QUEUE: the task queue runs and workers use, below --task-queue. */
  taskQueue?: string;
  /** DAGENT_LOG_LEVEL: the Temporal SDK's log level in the CLI and workers (default ERROR). */
  logLevel: LogLevel;
  /** DAGENT_ENCRYPTION_KEY: `id:base64,…` or one base64 key (parsed by the codec). */
  encryptionKey?: string;
  /** DAGENT_STORE: a path, file:///path or s3://bucket/prefix. */
  store?: string;
  /** DAGENT_RESULTS_DIR: the older name of a local store's directory (DAGENT_STORE wins). */
  resultsDir?: string;
  /** DAGENT_SHELL_ENV: more variables of the worker that shell tasks may see. */
  shellEnv: string[];
  /** DAGENT_WORKER_WAIT: after this long untaken, a task shows "waiting for a worker on …" (default 10s). */
  workerWaitMs: number;
  /** DAGENT_METRICS_BIND: host:port of a worker's /metrics and /healthz (off by default). */
  metricsBind?: string;
  /** DAGENT_BREAKER_FAILURES: provider failures in a row that open a worker's circuit breaker (default 5). */
  breakerFailures: number;
  /** DAGENT_BREAKER_COOLDOWN: the breaker's first cool-down (default 30s; doubles up to 5 min). */
  breakerCooldownMs: number;
}

/** A DAGENT_* variable with a value dagent cannot use. */
export class SettingsError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`${variable}: ${reason}`);
    this.name = 'SettingsError';
  }
}

const nonEmpty = z.string().trim().min(1, 'must not be empty when set');
const DURATION = /^\d+(\.\d+)?(ms|s|m|h)$/;

/** Each variable and how to read it; absent and empty mean "not set". */
const VARIABLES = {
  DAGENT_MODEL: nonEmpty,
  DAGENT_LLM_REQUEST_TIMEOUT_MS: z.string().regex(/^\d+$/, 'must be a whole number of milliseconds').transform(Number).pipe(z.number().min(1000, 'must be at least 1000 (one second)').max(3_600_000, 'must be at most 3600000 (one hour)')),
  DAGENT_TASK_QUEUE: nonEmpty.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/, 'must be letters, digits, "-", "_" or "."'),
  DAGENT_LOG_LEVEL: z.string().transform((v) => v.toUpperCase()).pipe(z.enum(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`)),
  DAGENT_ENCRYPTION_KEY: nonEmpty,
  DAGENT_STORE: nonEmpty,
  DAGENT_RESULTS_DIR: nonEmpty,
  DAGENT_SHELL_ENV: z.string().transform((v) => v.split(/[,\s]+/).filter(Boolean)).pipe(z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'lists variable names, separated by commas or spaces'))),
  DAGENT_WORKER_WAIT: z.string().regex(DURATION, 'must be a duration such as "10s", "2m" or "500ms"').transform((v) => durationToMs(v)),
  DAGENT_METRICS_BIND: z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be host:port, such as 0.0.0.0:9464 or 127.0.0.1:9464'),
  DAGENT_BREAKER_FAILURES: z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.number().min(1, 'must be at least 1').max(1000, 'must be at most 1000')),
  DAGENT_BREAKER_COOLDOWN: z.string().regex(DURATION, 'must be a duration such as "30s", "1m" or "500ms"').transform((v) => durationToMs(v)).pipe(z.number().min(100, 'must be at least 100ms').max(300_000, 'must be at most 5m')),
} as const;

type Variable = keyof typeof VARIABLES;

function read<V extends Variable>(env: NodeJS.ProcessEnv, variable: V): z.output<(typeof VARIABLES)[V]> | undefined {
  const raw = env[variable];
  if (raw === undefined || raw === '') return undefined;
  const parsed = VARIABLES[variable].safeParse(raw);
  if (!parsed.success) throw new SettingsError(variable, `${parsed.error.issues[0]!.message} (it is "${raw.length > 80 ? `${raw.slice(0, 80)}…` : raw}")`);
  return parsed.data as z.output<(typeof VARIABLES)[V]>;
}

/** Every DAGENT_* setting of this environment, checked; throws a SettingsError naming the first bad one. */
export function readDagentSettings(env: NodeJS.ProcessEnv = process.env): DagentSettings {
  const settings: DagentSettings = {
    llmRequestTimeoutMs: read(env, 'DAGENT_LLM_REQUEST_TIMEOUT_MS') ?? 10 * 60_000,
    logLevel: read(env, 'DAGENT_LOG_LEVEL') ?? 'ERROR',
    shellEnv: read(env, 'DAGENT_SHELL_ENV') ?? [],
    workerWaitMs: read(env, 'DAGENT_WORKER_WAIT') ?? 10_000,
    breakerFailures: read(env, 'DAGENT_BREAKER_FAILURES') ?? 5,
    breakerCooldownMs: read(env, 'DAGENT_BREAKER_COOLDOWN') ?? 30_000,
  };
  const optional = {
    model: read(env, 'DAGENT_MODEL'),
    taskQueue: read(env, 'DAGENT_TASK_QUEUE'),
    encryptionKey: read(env, 'DAGENT_ENCRYPTION_KEY'),
    store: read(env, 'DAGENT_STORE'),
    resultsDir: read(env, 'DAGENT_RESULTS_DIR'),
    metricsBind: read(env, 'DAGENT_METRICS_BIND'),
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) (settings as unknown as Record<string, unknown>)[key] = value;
  return settings;
}

let processSettings: DagentSettings | undefined;
/** This process's settings, read from process.env on first use and kept. */
export function dagentSettings(): DagentSettings {
  processSettings ??= readDagentSettings(process.env);
  return processSettings;
}
