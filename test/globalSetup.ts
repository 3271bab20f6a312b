// Once per test run: provision the temporal CLI, start a dev server on free ports with its own
// database file, and bundle the workflow code once for every test worker.
import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { connectClient } from '../src/temporal/connect';
import { startDevServer } from '../src/temporal/devServer';
import { provisionTemporalCli } from '../src/temporal/temporalCli';
import { WORKFLOWS_PATH } from '../src/workers/createWorker';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalCli: string;
    workflowBundlePath: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), 'dagent-test-'));
  const temporalCli = await provisionTemporalCli();
  const server = await startDevServer({ dbFile: join(dir, 'temporal.db'), headless: true, logFile: join(dir, 'temporal.log') });
  const client = await connectClient({ address: server.address, namespace: 'default' });
  await client.connection.close();

  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  const workflowBundlePath = join(dir, 'workflow-bundle.js');
  await writeFile(workflowBundlePath, code);

  project.provide('temporalAddress', server.address);
  project.provide('temporalCli', temporalCli);
  project.provide('workflowBundlePath', workflowBundlePath);

  return async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
}

const quietLogger = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
