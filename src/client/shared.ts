// Pieces every command shares: connection flags, the quiet Temporal runtime, stderr logging.
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { InvalidArgumentError, type Command } from 'commander';
import { dagentSettings } from '../settings/dagentSettings';
import { DEFAULT_TASK_QUEUE } from '../workers/createWorker';

export interface ConnectionFlags {
  address?: string;
  namespace?: string;
  profile?: string;
  taskQueue?: string;
}

/** Where the Temporal server is: for every command that talks to it. */
export function addServerFlags(command: Command): Command {
  return command
    .option('--address <host:port>', 'Temporal frontend address (default: the profile\'s, $TEMPORAL_ADDRESS, else localhost:7233)')
    .option('--namespace <name>', 'Temporal namespace (default: the profile\'s, $TEMPORAL_NAMESPACE, else "default")')
    .option('--profile <name>', 'Temporal connection profile (TLS, API key, address) from $TEMPORAL_CONFIG_FILE or the standard temporal.toml (default: $TEMPORAL_PROFILE, else "default")');
}

/** Server flags and the task queue: for commands that start runs or serve them. */
export function addConnectionFlags(command: Command): Command {
  return addServerFlags(command).option('--task-queue <name>', `task queue of the workers (default: $DAGENT_TASK_QUEUE, the config file's taskQueue, else "${DEFAULT_TASK_QUEUE}")`);
}

/** CLI flag, then $DAGENT_TASK_QUEUE, then the config file, then "dagent". */
export function resolveTaskQueue(flag: string | undefined, configured?: string): string {
  return flag ?? dagentSettings().taskQueue ?? configured ?? DEFAULT_TASK_QUEUE;
}

export const logLine = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

let runtimeInstalled = false;
/**
 * The SDK logs at INFO by default; task failures are shown in the table, so the CLI logs only
 * errors. `ownSignals`: the command handles Ctrl-C itself instead of the SDK shutting workers down.
 */
export function installQuietRuntime(options: { ownSignals?: boolean } = {}): void {
  if (runtimeInstalled) return;
  Runtime.install({
    logger: new DefaultLogger(dagentSettings().logLevel),
    ...(options.ownSignals ? { shutdownSignals: [] } : {}),
  });
  runtimeInstalled = true;
}

export function parsePositiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number of 1 or more, got "${value}"`);
    return n;
  };
}

export function parsePositiveNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a number above 0, got "${value}"`);
    return n;
  };
}

export function parseNonNegativeNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number of 0 or more, got "${value}"`);
    return n;
  };
}
