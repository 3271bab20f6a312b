// Where the Temporal server is, read the Temporal way: flags, then the environment and the TOML
// profiles of @temporalio/envconfig (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
// TEMPORAL_TLS_*, TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE), so a profile that works for the
// `temporal` CLI works for dagent (mTLS, a server CA and name, API keys). With nothing configured
// at all: localhost:7233, else a dev server we start ourselves (database under .dagent/, Web UI
// on 8233) that keeps running after the CLI exits.
import { Client, Connection, type WorkflowClientInterceptor } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { join } from 'node:path';
import { encryptionCodecFromSettings } from '../codec/encryptionCodec';
import { SEARCH_ATTRIBUTE_NAMES } from '../run/searchAttributes';
import { DEFAULT_ADDRESS, DEFAULT_DB_FILE, DEFAULT_UI_PORT } from './defaults';
import { isPortOpen, startDevServer } from './devServer';
import { TemporalConfigError, TemporalUnreachableError } from './temporalErrors';
export { TemporalConfigError, TemporalUnreachableError } from './temporalErrors';

/** What both connections (the client's and a worker's native one) are made from. */
export type ConnectionSettings = Pick<NativeConnectionOptions, 'address' | 'tls' | 'apiKey' | 'metadata'> & { address: string };

export interface TemporalTarget {
  address: string;
  namespace: string;
  /** TLS, API key and metadata besides the address; just the address when absent. */
  connection?: ConnectionSettings;
}

export interface ResolveOptions {
  address?: string;
  namespace?: string;
  /** An envconfig profile (default: $TEMPORAL_PROFILE, else "default"). */
  profile?: string;
  /** Start a dev server when nothing is configured and nothing listens on 7233. */
  autoStart: boolean;
  log: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export async function resolveTemporal(options: ResolveOptions): Promise<TemporalTarget> {
  const env = options.env ?? process.env;
  let loaded: ReturnType<typeof loadClientConnectConfig>;
  try {
    loaded = loadClientConnectConfig({ ...(options.profile ? { profile: options.profile } : {}), overrideEnvVars: definedStrings(env) });
  } catch (err) {
    throw new TemporalConfigError(`cannot read the Temporal connection profile${options.profile ? ` "${options.profile}"` : ''}: ${(err as Error).message} (see --profile, TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE)`);
  }
  const { address: profileAddress, tls, apiKey, metadata } = loaded.connectionOptions;
  const namespace = options.namespace || loaded.namespace || 'default';
  const secured = { ...(tls !== undefined ? { tls } : {}), ...(apiKey !== undefined ? { apiKey } : {}), ...(metadata ? { metadata } : {}) };
  const configured = options.address || profileAddress;
  if (configured) return { address: configured, namespace, connection: { address: configured, ...secured } };
  if (options.profile || Object.keys(secured).length > 0) throw new TemporalConfigError(`the Temporal connection${options.profile ? ` profile "${options.profile}"` : ''} has no address: set address in the profile, TEMPORAL_ADDRESS or --address`);
  if (await isPortOpen(7233)) return { address: DEFAULT_ADDRESS, namespace, connection: { address: DEFAULT_ADDRESS } };
  if (!options.autoStart) throw new TemporalUnreachableError(DEFAULT_ADDRESS, 'nothing listens there');

  const server = await startDevServer({
    port: 7233,
    uiPort: DEFAULT_UI_PORT,
    dbFile: DEFAULT_DB_FILE,
    logFile: join('.dagent', 'temporal.log'),
    detached: true,
    namespace,
    log: options.log,
  });
  options.log(
    `dagent: started a Temporal dev server (pid ${server.process.pid}) on ${server.address}, Web UI http://localhost:${DEFAULT_UI_PORT}, data in ${DEFAULT_DB_FILE}; it keeps running after this command (stop it with: kill ${server.process.pid})`,
  );
  return { address: server.address, namespace, connection: { address: server.address } };
}

/** The error's message and its causes', innermost last: the client says "Failed to connect" and keeps the why in the cause. */
export function causeChain(err: unknown): string {
  const messages: string[] = [];
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 6; e = e.cause, depth++) messages.push(e.message);
  return messages.join(': ');
}

function definedStrings(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
}

/** The first line of a connection error, said plainly when it is about TLS (a certificate refused, a handshake that failed). */
export function describeConnectError(message: string): string {
  const line = message.replace(/\s*\n\s*/g, ' ').trim();
  return /tls|ssl|certificate|handshake/i.test(message) ? `TLS: the server refused the connection (client or server certificate; check the profile's tls settings): ${line}` : line;
}

/** A client whose server answered a real call, so later errors are about the run, not the network. */
/** `interceptors`: the client's workflow interceptors (tracing). */
export async function connectClient(target: TemporalTarget, timeoutMs = 5_000, interceptors?: WorkflowClientInterceptor[]): Promise<Client> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    try {
      const connection = await Connection.connect({ ...(target.connection ?? { address: target.address }), connectTimeout: '5s' });
      await connection.workflowService.describeNamespace({ namespace: target.namespace });
      const codec = encryptionCodecFromSettings();
      return new Client({ connection, namespace: target.namespace, ...(codec ? { dataConverter: { payloadCodecs: [codec] } } : {}), ...(interceptors ? { interceptors: { workflow: interceptors } } : {}) });
    } catch (err) {
      lastError = causeChain(err);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new TemporalUnreachableError(target.address, describeConnectError(lastError));
}

/** Whether the server has dagent's search attributes registered, so a run may publish them. */
export async function hasDagentSearchAttributes(client: Client, namespace: string): Promise<boolean> {
  try {
    const { customAttributes } = await client.connection.operatorService.listSearchAttributes({ namespace });
    return SEARCH_ATTRIBUTE_NAMES.every((name) => customAttributes && name in customAttributes);
  } catch {
    return false;
  }
}
