// Where task outputs and reports live, so that history carries only references to them.
// A local directory by default; the interface leaves room for a networked store.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { createHash, randomUUID } from 'node:crypto';

export interface ResultStore {
  /** Stores text under a key and returns the reference to read it back with. */
  put(key: string, text: string): Promise<string>;
  get(ref: string): Promise<string>;
}

export class ResultStoreError extends Error {
  constructor(message: string, readonly ref: string) {
    super(message);
    this.name = 'ResultStoreError';
  }
}

export class LocalResultStore implements ResultStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async put(key: string, text: string): Promise<string> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    // Write then rename: a crash mid-write never leaves a partial file under the final name.
    const temp = `${path}.${randomUUID()}.tmp`;
    await writeFile(temp, text, 'utf8');
    await rename(temp, path);
    return key;
  }

  async get(ref: string): Promise<string> {
    try {
      return await readFile(this.pathOf(ref), 'utf8');
    } catch (err) {
      throw new ResultStoreError(`cannot read result "${ref}" from ${this.root}: ${(err as Error).message}`, ref);
    }
  }

  /** Keys are relative paths of plain segments; anything that could leave the root is refused. */
  private pathOf(key: string): string {
    const segments = key.split('/');
    if (isAbsolute(key) || segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\') || s.includes('\0'))) {
      throw new ResultStoreError(`invalid result key "${key}"`, key);
    }
    const path = join(this.root, ...segments);
    if (!path.startsWith(this.root + sep)) throw new ResultStoreError(`invalid result key "${key}"`, key);
    return path;
  }
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

export function resultStoreFromEnv(env: NodeJS.ProcessEnv = process.env): LocalResultStore {
  return new LocalResultStore(env.DAGENT_RESULTS_DIR ?? join('.dagent', 'results'));
}
