// Flags and their parsers, shared by the command definitions in main.ts. Light on purpose:
// `dagent --help` loads this file and commander, and nothing that talks to Temporal.
import { InvalidArgumentError, type Command } from 'commander';
import { durationToMs } from '../plan/schema';
import { DEFAULT_TASK_QUEUE } from '../plan/skillQueue';
import { DEFAULT_DB_FILE, DEFAULT_UI_PORT } from '../temporal/defaults';

export const DEV_DEFAULTS = { port: 7233, uiPort: DEFAULT_UI_PORT, dbFile: DEFAULT_DB_FILE };

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

/** --reconnect-timeout: "90s", "5m", "500ms", or a number of seconds. */
export function parseReconnectTimeout(value: string): number {
  const text = value.trim();
  const ms = durationToMs(/^\d+(\.\d+)?$/.test(text) ? Number(text) : text);
  if (!(ms > 0)) throw new InvalidArgumentError(`--reconnect-timeout must be a duration such as 30s or 5m, or a number of seconds, got "${value}"`);
  return ms;
}
