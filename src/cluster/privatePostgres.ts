// A private PostgreSQL cluster for the Temporal cluster suite: `initdb` into a folder, started on
// a free port on 127.0.0.1, trust authentication (loopback only), fsync off (test data). PostgreSQL refuses to run as
// root, so as root the folder is given to `nobody` and the server runs as that user.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { access, chown, constants, mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stopProcess } from '../provision/stopProcess';
import { freePort, isPortOpen } from '../temporal/devServer';

const NOBODY = { uid: 65534, gid: 65534 };

export interface PrivatePostgres {
  port: number;
  user: string;
  logFile: string;
  stop(): Promise<void>;
}

export class PostgresStartError extends Error {
  constructor(reason: string) {
    super(`PostgreSQL could not be started: ${reason}`);
    this.name = 'PostgresStartError';
  }
}

async function findBinary(name: string): Promise<string> {
  for (const dir of [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/lib/postgresql/15/bin']) {
    const path = join(dir, name);
    if (await access(path, constants.X_OK).then(() => true, () => false)) return path;
  }
  throw new PostgresStartError(`${name} was not found. Install PostgreSQL 15 (Debian: apt-get install postgresql) so that it is on PATH or in /usr/lib/postgresql/15/bin`);
}

/** Its folder is a new one under the system's temporary folder (which `nobody` can reach), removed on stop. */
export async function startPrivatePostgres(options: { user?: string } = {}): Promise<PrivatePostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'dagent-postgres-'));
  const [initdb, postgres] = [await findBinary('initdb'), await findBinary('postgres')];
  const user = options.user ?? 'temporal';
  const data = join(dir, 'pgdata');
  const socketDir = join(dir, 'pgsocket');
  await mkdir(data, { recursive: true });
  await mkdir(socketDir, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  const ids = asRoot ? NOBODY : {};
  if (asRoot) {
    for (const path of [dir, data, socketDir]) await chown(path, NOBODY.uid, NOBODY.gid);
  }
  try {
    await promisify(execFile)(initdb, ['-D', data, '-U', user, '--auth=trust', '--encoding=UTF8', '--no-sync'], { ...ids, env: { PATH: process.env.PATH, LANG: 'C.UTF-8' } });
  } catch (err) {
    throw new PostgresStartError(`initdb failed: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message}`);
  }
  const port = await freePort();
  const log = await open(join(dir, 'postgres.log'), 'a');
  if (asRoot) await chown(join(dir, 'postgres.log'), NOBODY.uid, NOBODY.gid);
  const child: ChildProcess = spawn(postgres, ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', socketDir, '-c', 'fsync=off', '-c', 'max_connections=200'], {
    ...ids,
    stdio: ['ignore', log.fd, log.fd],
  });
  await log.close();
  const deadline = Date.now() + 30_000;
  while (!(await isPortOpen(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stopProcess(child);
      throw new PostgresStartError(`postgres did not start listening on port ${port}; see ${join(dir, 'postgres.log')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    user,
    logFile: join(dir, 'postgres.log'),
    async stop() {
      // SIGINT is PostgreSQL's fast shutdown (SIGTERM waits for every client to disconnect).
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await stopProcess(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
