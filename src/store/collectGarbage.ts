// `dagent gc`: removes what old runs left in the result store. A run's folder (workflow id / run
// id) goes as a whole, and only when even its newest object is older than the cutoff, so a run
// still writing (or resumed after a long approval wait) never loses part of its outputs. Anything
// outside run folders (the plan cache's plans/…, the task-duration memo's durations/…, the reuse
// index's reuse/…) goes file
// by file, by its own age.
// DAGENT_STORE may point anywhere (a home folder, a shared bucket's root): gc cleans only a store
// that holds nothing but what dagent writes, and refuses, before removing anything, otherwise.
import type { CollectableStore } from './collectableStore';

export interface GarbageGroup {
  /** `workflow/run` for a run's folder, or the key itself for a loose object. */
  name: string;
  keys: string[];
  bytes: number;
  newest: Date;
}

export interface GarbageReport {
  removed: GarbageGroup[];
  kept: number;
  dryRun: boolean;
}

export interface CollectOptions {
  olderThanMs: number;
  dryRun?: boolean;
  /** The clock to measure age against; default now. */
  now?: Date;
}

export class ForeignContentError extends Error {
  constructor(where: string, key: string) {
    super(
      `${where} holds "${key}", which dagent did not write: gc removes nothing from a store that holds anything else. ` +
        `Point DAGENT_STORE at a folder or bucket prefix that holds dagent's results alone`,
    );
    this.name = 'ForeignContentError';
  }
}

// What dagent writes: workflow/run/… files (ids escaped by keySegment, which turns every dot into
// %2E, so the first two segments have none), the plan cache and the duration memo; each maybe as
// a crashed write's temporary file (name.uuid.tmp).
const DAGENT_KEY = /^(?:[^/.]+\/[^/.]+\/(?:[^/]+\/)*[^/]+\.(?:md|json|txt)|(?:plans|durations|reuse)\/[^/]+\.json)(?:\.[0-9a-f-]{36}\.tmp)?$/;

export async function collectGarbage(store: CollectableStore, options: CollectOptions): Promise<GarbageReport> {
  const cutoff = (options.now ?? new Date()).getTime() - options.olderThanMs;
  const groups = new Map<string, GarbageGroup>();
  for await (const entry of store.entries()) {
    if (!DAGENT_KEY.test(entry.key)) throw new ForeignContentError(store.where, entry.key);
    const name = groupOf(entry.key);
    const group = groups.get(name) ?? { name, keys: [], bytes: 0, newest: new Date(0) };
    group.keys.push(entry.key);
    group.bytes += entry.bytes;
    if (entry.modified > group.newest) group.newest = entry.modified;
    groups.set(name, group);
  }
  const removed = [...groups.values()].filter((g) => g.newest.getTime() < cutoff).sort((a, b) => a.name.localeCompare(b.name));
  if (!options.dryRun) {
    for (const group of removed) await store.remove(group.keys);
  }
  return { removed, kept: groups.size - removed.length, dryRun: options.dryRun ?? false };
}

/** Run outputs live at workflow/run/…; a key with fewer than three segments, or in plans/, durations/ or reuse/, stands alone. */
function groupOf(key: string): string {
  const segments = key.split('/');
  if (segments[0] === 'plans' || segments[0] === 'durations' || segments[0] === 'reuse' || segments.length < 3) return key;
  return `${segments[0]}/${segments[1]}`;
}
