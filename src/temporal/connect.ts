// Where the Temporal server is: TEMPORAL_ADDRESS, else localhost:7233, else a dev server we start
// ourselves (database under .dagent/, Web UI on 8233) that keeps running after the CLI exits.
import { Client, Connection } from '@temporalio/client';
import { join } from 'node:path';
import { encryptionCodecFromEnv } from '../codec/encryptionCodec';
import { SEARCH_ATTRIBUTE_NAMES } from '../run/searchAttributes';
import { isPortOpen, startDevServer } from './devServer';

export const DEFAULT_ADDRESS = '127.0.0.1:7233';
export const DEFAULT_UI_PORT = 8233;
export const DEFAULT_DB_FILE = join('.dagent', 'temporal.db');

export class TemporalUnreachableError extends Error {
  constructor(readonly address: string, cause: string) {
    super(`cannot reach Temporal at ${address}: ${cause}. Start one with \`npx dagent dev\` or set TEMPORAL_ADDRESS.`);
    this.name = 'TemporalUnreachableError';
  }
}

export interface TemporalTarget {
  address: string;
  namespace: string;
}

export interface ResolveOptions {
  address?: string;
  namespace?: string;
  /** Start a dev server when nothing is configured and nothing listens on 7233. */
  autoStart: boolean;
  log: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export async function resolveTemporal(options: ResolveOptions): Promise<TemporalTarget> {
  const env = options.env ?? process.env;
  const namespace = options.namespace || env.TEMPORAL_NAMESPACE || 'default';
  const configured = options.address || env.TEMPORAL_ADDRESS;
  if (configured) return { address: configured, namespace };
  if (await isPortOpen(7233)) return { address: DEFAULT_ADDRESS, namespace };
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
  return { address: server.address, namespace };
}

/** A client whose server answered a real call, so later errors are about the run, not the network. */
export async function connectClient(target: TemporalTarget, timeoutMs = 5_000): Promise<Client> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    try {
      const connection = await Connection.connect({ address: target.address, connectTimeout: '5s' });
      await connection.workflowService.describeNamespace({ namespace: target.namespace });
      const codec = encryptionCodecFromEnv();
      return new Client({ connection, namespace: target.namespace, ...(codec ? { dataConverter: { payloadCodecs: [codec] } } : {}) });
    } catch (err) {
      lastError = (err as Error).message;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new TemporalUnreachableError(target.address, lastError);
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
