// Starts `temporal server start-dev` and waits until its frontend answers.
import { Connection } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, open } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { dirname } from 'node:path';
import { DEV_SERVER_SEARCH_ATTRIBUTES } from '../run/searchAttributes';
import { provisionTemporalCli } from './temporalCli';
import { stopProcess } from '../provision/stopProcess';

export interface DevServerOptions {
  /** The address it listens on (default 127.0.0.1), e.g. a bridge other network namespaces reach. */
  host?: string;
  port?: number;
  uiPort?: number;
  /** Persistent database file; the server keeps its state across restarts in it. */
  dbFile: string;
  headless?: boolean;
  /** Keep running after this process exits (the CLI's auto-started server). */
  detached?: boolean;
  /** Where the server's own log goes when detached or quiet; inherits stdio otherwise. */
  logFile?: string;
  namespace?: string;
  log?: (line: string) => void;
  readyTimeoutMs?: number;
}

export interface DevServer {
  address: string;
  port: number;
  uiPort?: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * The dev server's defaults are slow for a DAG: the transfer queue polls at most 20 times a second
 * (a token bucket: after ~15 quick hops each waits ~50 ms) and SQLite runs without WAL. These make
 * a chain hop ~25 ms instead of ~80 ms. WAL survives a killed server process, not an OS crash that
 * loses the last writes. The new matcher is what honours task priority keys. A run with hundreds
 * of tasks finishing at once buffers their events while its workflow task runs: past 100 (the
 * default) the server force-closes that task and the worker must replay the whole history, which
 * makes the next task longer still; 1,000 buffered events (still within the 2 MB byte limit on
 * them, which stays) lets them wait for the next workflow task instead.
 */
export const DEV_SERVER_SPEED_FLAGS = [
  '--dynamic-config-value', 'history.transferProcessorMaxPollRPS=10000',
  '--dynamic-config-value', 'system.enableActivityEagerExecution=true',
  '--dynamic-config-value', 'matching.useNewMatcher=true',
  '--dynamic-config-value', 'history.maximumBufferedEventsBatch=1000',
  '--sqlite-pragma', 'journal_mode=wal',
  '--sqlite-pragma', 'synchronous=normal',
];

/**
 * Ports are picked free just before the server binds them (its other services take more ports of
 * their own), so another process can take one in between: without an explicit port, a server
 * that exits at start is tried again on new ports.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const attempts = options.port === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDevServerOnce(options);
    } catch (err) {
      if (!(err instanceof DevServerExitedError) || attempt >= attempts) throw err;
      options.log?.(`dagent: the Temporal dev server exited at start (${err.message}); trying again on other ports`);
    }
  }
}

/** The server process ended before it served. */
class DevServerExitedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DevServerExitedError';
  }
}

async function startDevServerOnce(options: DevServerOptions): Promise<DevServer> {
  const binary = await provisionTemporalCli({ log: options.log });
  const port = options.port ?? (await freePort());
  const uiPort = options.headless ? undefined : (options.uiPort ?? (await freePort()));
  await mkdir(dirname(options.dbFile), { recursive: true });
  const host = options.host ?? '127.0.0.1';
  const args = ['server', 'start-dev', '--ip', host, '--port', String(port), '--db-filename', options.dbFile, '--log-level', 'warn', ...DEV_SERVER_SPEED_FLAGS];
  args.push('--namespace', options.namespace ?? 'default');
  for (const attribute of DEV_SERVER_SEARCH_ATTRIBUTES) args.push('--search-attribute', attribute);
  if (uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(uiPort));

  let stdio: Array<'ignore' | 'inherit' | number> = ['ignore', 'inherit', 'inherit'];
  const logFile = options.logFile ? await mkdir(dirname(options.logFile), { recursive: true }).then(() => open(options.logFile!, 'a')) : undefined;
  if (logFile) stdio = ['ignore', logFile.fd, logFile.fd];
  const child = spawn(binary, args, { stdio, detached: options.detached ?? false });
  await logFile?.close(); // the child has its own copy of the descriptor
  if (options.detached) child.unref();

  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) => reject(new DevServerExitedError(`temporal server start-dev exited early (code ${code}, signal ${signal})${options.logFile ? `; see ${options.logFile}` : ''}`)));
    child.once('error', reject);
  });
  await Promise.race([waitUntilServing(host, port, options.namespace ?? 'default', options.readyTimeoutMs ?? 60_000), exited]);
  child.removeAllListeners('exit');

  return {
    address: `${host}:${port}`,
    port,
    uiPort,
    process: child,
    stop: () => stopProcess(child),
  };
}

export function isPortOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(500);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
    socket.connect(port, host);
  });
}

/** Listening is not enough: the namespace must answer a real call. */
async function waitUntilServing(host: string, port: number, namespace: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'not listening';
  while (Date.now() < deadline) {
    if (await isPortOpen(port, host)) {
      try {
        const connection = await Connection.connect({ address: `${host}:${port}`, connectTimeout: '2s' });
        try {
          await connection.workflowService.describeNamespace({ namespace });
          return;
        } finally {
          await connection.close();
        }
      } catch (err) {
        lastError = (err as Error).message;
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Temporal dev server on port ${port} did not answer within ${timeoutMs} ms: ${lastError}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
