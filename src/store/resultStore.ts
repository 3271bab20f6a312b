// Where task outputs and reports live, so that history carries only references to them: a local
// directory by default, or an S3 bucket shared by workers on several machines (DAGENT_STORE).
import { createHash } from 'node:crypto';

export interface ResultStore {
  /** Stores text under a key and returns the reference to read it back with. */
  put(key: string, text: string, how?: PutOptions): Promise<string>;
  get(ref: string): Promise<string>;
}

export { ResultStoreError } from './resultStoreError';
export { LocalResultStore } from './localResultStore';
export { S3ResultStore } from './s3ResultStore';
export { resultStoreFromEnv, StoreConfigError, DEFAULT_RESULTS_DIR } from './resultStoreFromEnv';

export interface PutOptions {
  /**
   * Nothing else is at work in the worker (the caller's task waits for this write, or it is a
   * background write made while no task runs): the local store then writes a small file on the
   * calling thread (see LocalResultStore). A hint; stores may ignore it.
   */
  alone?: boolean;
}

/** File names are at most 255 bytes on common disks; a segment stays well below, with room for ".md" and a temp suffix. */
const MAX_SEGMENT_CHARS = 120;

/**
 * A key segment made safe from any workflow id or run id: escaped, and when long (a 300-character
 * id, 30 emoji) cut and completed with a hash of the whole, so distinct ids stay distinct.
 */
export function keySegment(value: string): string {
  const escaped = encodeURIComponent(value).replace(/\./g, '%2E');
  if (escaped.length <= MAX_SEGMENT_CHARS) return escaped;
  const head = escaped.slice(0, MAX_SEGMENT_CHARS - 41).replace(/%[0-9A-F]?$/, '');
  return `${head}~${createHash('sha256').update(value).digest('hex').slice(0, 40)}`;
}
