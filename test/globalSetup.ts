// Once per test run: provision the temporal CLI, start a dev server on free ports with its own
// database file, and build dist/ (the CLI the tests start, and the workflow bundle every test
// worker loads) from the sources as they are now.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { connectClient } from '../src/temporal/connect';
import { startDevServer } from '../src/temporal/devServer';
import { provisionTemporalCli } from '../src/temporal/temporalCli';
import { buildDist, WORKFLOW_BUNDLE_FILE } from '../scripts/buildDist';

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

  await buildDist();
  const workflowBundlePath = WORKFLOW_BUNDLE_FILE;

  project.provide('temporalAddress', server.address);
  project.provide('temporalCli', temporalCli);
  project.provide('workflowBundlePath', workflowBundlePath);

  return async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
