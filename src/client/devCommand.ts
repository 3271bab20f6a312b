// `dagent dev`: the Temporal dev server in the foreground, with a persistent database.
import { startDevServer } from '../temporal/devServer';
import { logLine } from './shared';

export interface DevFlags {
  port: number;
  uiPort: number;
  dbFile: string;
  headless?: boolean;
}

export async function devCommand(flags: DevFlags): Promise<number> {
  const server = await startDevServer({ port: flags.port, uiPort: flags.uiPort, dbFile: flags.dbFile, headless: flags.headless, log: logLine });
  logLine(
    `dagent: Temporal dev server on ${server.address}${server.uiPort ? `, Web UI http://localhost:${server.uiPort}` : ''}, data in ${flags.dbFile}. Ctrl-C stops it.`,
  );
  const stop = () => void server.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const code = await new Promise<number>((resolve) => server.process.once('exit', (c) => resolve(c ?? 0)));
  return code === 0 || code === 130 ? 0 : code;
}
