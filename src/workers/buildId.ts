// A worker's default build id: a hash of the workflow code it runs, so two workers share a build
// id exactly when they would replay the same histories the same way.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { WorkerOptions } from '@temporalio/worker';

export async function buildIdOf(bundle: WorkerOptions['workflowBundle']): Promise<string | undefined> {
  if (!bundle) return undefined;
  const code = 'code' in bundle ? bundle.code : await readFile(bundle.codePath, 'utf8');
  return createHash('sha256').update(code).digest('hex').slice(0, 12);
}
