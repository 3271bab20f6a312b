// Which result store a worker uses, from DAGENT_STORE: a local directory (a path or file://…, the
// default .dagent/results) or an S3 bucket (s3://bucket/prefix) that workers on other machines share.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readDagentSettings, type DagentSettings } from '../settings/dagentSettings';
import type { CollectableStore } from './collectableStore';
import { LocalResultStore } from './localResultStore';
import type { ResultStore } from './resultStore';
import { parseS3Location } from './s3Location';
import { S3ResultStore } from './s3ResultStore';
import { StoreConfigError } from './storeConfigError';

export { StoreConfigError };

export const DEFAULT_RESULTS_DIR = join('.dagent', 'results');

/** Either store; both can also list and remove what they hold, for `dagent gc`. */
export function resultStoreFromEnv(env: NodeJS.ProcessEnv = process.env, settings: Pick<DagentSettings, 'store' | 'resultsDir'> = readDagentSettings(env)): ResultStore & CollectableStore {
  const spec = settings.store;
  // DAGENT_RESULTS_DIR predates DAGENT_STORE and always named a local directory: it still does.
  if (!spec) return new LocalResultStore(settings.resultsDir ?? DEFAULT_RESULTS_DIR);
  if (spec.startsWith('s3://')) return new S3ResultStore(() => import('./s3ClientFromEnv').then((m) => m.s3ClientFromEnv(env)), parseS3Location(spec));
  if (spec.startsWith('file://')) {
    try {
      return new LocalResultStore(fileURLToPath(spec));
    } catch (err) {
      throw new StoreConfigError(`DAGENT_STORE is "${spec}", which is not a usable file URL: ${(err as Error).message}. Write it as file:///absolute/path or as a plain path`);
    }
  }
  // Any other `scheme://` is a store we do not have; a plain path (even one with a colon) is a directory.
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(spec)?.[1];
  if (scheme) {
    throw new StoreConfigError(`DAGENT_STORE is "${spec}", but "${scheme}://" is not a result store dagent knows. Use a directory path, file:///path, or s3://bucket/prefix`);
  }
  return new LocalResultStore(spec);
}
