// A real Temporal cluster on one machine: a private PostgreSQL with Temporal's schemas, and the
// frontend, history, matching and worker services as four processes of the server binary (built
// once by temporalServerBinaries.ts), the namespace and dagent's search attributes registered.
// The cluster suite runs dagent on it; docs/cluster.md is the same recipe by hand.
import { Connection } from '@temporalio/client';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { stopProcess } from '../provision/stopProcess';
import { DEV_SERVER_SEARCH_ATTRIBUTES } from '../run/searchAttributes';
import { isPortOpen } from '../temporal/devServer';
import { provisionTemporalCli } from '../temporal/temporalCli';
import { startPrivatePostgres, type PrivatePostgres } from './privatePostgres';
import { CLUSTER_DYNAMIC_CONFIG, CLUSTER_SERVICES, clusterConfigYaml, type ClusterPorts } from './temporalClusterConfig';
import { provisionTemporalServer } from './temporalServerBinaries';

const run = promisify(execFile);

export interface TemporalCluster {
  address: string;
  namespace: string;
  stop(): Promise<void>;
}

/** Temporal's schemas are embedded in its SQL tool under these names. */
const SCHEMAS = [
  { database: 'temporal', schema: 'postgresql/v12/temporal' },
  { database: 'temporal_visibility', schema: 'postgresql/v12/visibility' },
];

export async function startTemporalCluster(dir: string, options: { namespace?: string; log?: (line: string) => void } = {}): Promise<TemporalCluster> {
  const namespace = options.namespace ?? 'default';
  const { server, sqlTool } = await provisionTemporalServer({ log: options.log });
  const temporalCli = await provisionTemporalCli({ log: options.log });
  const children: ChildProcess[] = [];
  let postgres: PrivatePostgres | undefined;
  const stop = async () => {
    for (const child of children.reverse()) await stopProcess(child);
    await postgres?.stop();
  };
  try {
    await mkdir(dir, { recursive: true });
    postgres = await startPrivatePostgres();
    for (const { database, schema } of SCHEMAS) {
      const sql = (...args: string[]) => run(sqlTool, ['--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', String(postgres!.port), '-u', postgres!.user, '--db', database, ...args]);
      await step(`create database ${database}`, () => sql('create-database'));
      await step(`set up schema of ${database}`, () => sql('setup-schema', '-v', '0.0'));
      await step(`update schema of ${database}`, () => sql('update-schema', '--schema-name', schema));
    }

    // Membership ports are stored as a PostgreSQL smallint: they must stay below 32768.
    const taken = new Set<number>();
    const port = async () => {
      for (;;) {
        const candidate = 20_000 + Math.floor(Math.random() * 12_000);
        if (!taken.has(candidate) && !(await isPortOpen(candidate))) {
          taken.add(candidate);
          return candidate;
        }
      }
    };
    const ports: ClusterPorts = {
      frontend: { grpc: await port(), membership: await port(), http: await port() },
      history: { grpc: await port(), membership: await port() },
      matching: { grpc: await port(), membership: await port() },
      worker: { grpc: await port(), membership: await port() },
    };
    const dynamicConfigFile = join(dir, 'dynamicconfig.yaml');
    await writeFile(dynamicConfigFile, stringify(CLUSTER_DYNAMIC_CONFIG));
    const configFile = join(dir, 'temporal.yaml');
    await writeFile(configFile, clusterConfigYaml({ postgresPort: postgres.port, user: postgres.user, ports, dynamicConfigFile }));

    // One at a time: the first to start writes the cluster's metadata, the others read it.
    for (const service of CLUSTER_SERVICES) {
      const logFile = join(dir, `${service}.log`);
      const log = await open(logFile, 'a');
      const child = spawn(server, ['--config-file', configFile, '--allow-no-auth', 'start', '--service', service], { stdio: ['ignore', log.fd, log.fd] });
      await log.close();
      child.once('exit', (code, signal) => {
        if (code !== null && code !== 0) options.log?.(`temporal ${service} exited (code ${code}, signal ${signal}); see ${logFile}`);
      });
      children.push(child);
      await waitFor(`the ${service} service to listen`, 60_000, async () => {
        if (child.exitCode !== null) throw new Error(`the ${service} service exited (code ${child.exitCode}); see ${logFile}`);
        if (!(await isPortOpen(ports[service].grpc))) throw new Error('not listening yet');
      });
    }
    const address = `127.0.0.1:${ports.frontend.grpc}`;
    await waitFor('the frontend to serve the system namespace', 120_000, async () => {
      for (const [i, service] of CLUSTER_SERVICES.entries()) {
        if (children[i]!.exitCode !== null) throw new Error(`the ${service} service exited (code ${children[i]!.exitCode}); see ${join(dir, `${service}.log`)}`);
      }
      const connection = await Connection.connect({ address, connectTimeout: '2s' });
      try {
        await connection.workflowService.describeNamespace({ namespace: 'temporal-system' });
      } finally {
        await connection.close();
      }
    });

    const cli = (...args: string[]) => run(temporalCli, [...args, '--address', address]);
    if (namespace !== 'default' || !(await cli('operator', 'namespace', 'describe', '--namespace', namespace).then(() => true, () => false))) {
      await step(`register namespace ${namespace}`, () => cli('operator', 'namespace', 'create', '--namespace', namespace, '--retention', '24h'));
    }
    for (const attribute of DEV_SERVER_SEARCH_ATTRIBUTES) {
      const [name, type] = attribute.split('=') as [string, string];
      await waitFor(`search attribute ${name}`, 60_000, () => cli('operator', 'search-attribute', 'create', '--namespace', namespace, '--name', name, '--type', type));
    }
    // A new namespace reaches every service within seconds: wait until a list call answers.
    await waitFor(`namespace ${namespace} to be usable`, 60_000, () => cli('workflow', 'list', '--namespace', namespace, '--limit', '1'));
    return { address, namespace, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function step<T>(what: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`Temporal cluster: ${what} failed: ${(e.stderr?.trim() || e.message).split('\n').slice(-5).join(' | ')}`);
  }
}

async function waitFor(what: string, timeoutMs: number, attempt: () => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      await attempt();
      return;
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      last = e.stderr?.trim() || e.message;
      if (/exited \(code/.test(last) || Date.now() > deadline) throw new Error(`Temporal cluster: waiting for ${what} failed: ${last.split('\n').slice(-3).join(' | ')}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
