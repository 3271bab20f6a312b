// A memo of how long tasks took, kept in the result store: the scheduler weighs a task without
// estimatedMinutes by the median of its last runs (same backend, model and work). One object per
// backend (durations/<backend>.json: key → the last durations), so a run reads and writes a few
// objects, not one per task. A worker writes them in the background, many tasks' at once, when no
// task is at work in it (rememberDurationsLater); until then its own lookups see them too. Best
// effort: workers writing at once may drop each other's newest entries, and a missing or
// unreadable memo means "unknown", never a failed run. `dagent run --dry-run` reads it too, to
// predict what the run will do.
import { keySegment, type PutOptions, type ResultStore } from '../store/resultStore';
import { durationKeyBackend, medianOf } from '../plan/taskDurationKey';
import { fileInBackgroundAfter } from './backgroundFiling';

/** Durations kept per task, and tasks kept per backend (the least recently run go first). */
const KEPT = 9;
const MAX_KEYS = 5000;

type Memo = Map<string, number[]>;
export interface DurationEntry {
  key: string;
  ms: number;
}

/** Durations this worker has not written yet, by store (one background write takes them all), and those being written. */
const unwritten = new WeakMap<ResultStore, DurationEntry[]>();
const writing = new WeakMap<ResultStore, DurationEntry[]>();

const memoKeyOf = (key: string) => `durations/${keySegment(durationKeyBackend(key))}.json`;

async function read(store: ResultStore, memoKey: string): Promise<Memo> {
  try {
    const data = JSON.parse(await store.get(memoKey)) as unknown;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return new Map();
    return new Map(Object.entries(data).map(([k, v]) => [k, Array.isArray(v) ? v.filter((n): n is number => typeof n === 'number' && n >= 0) : []]));
  } catch {
    return new Map();
  }
}

function byMemo<T extends string>(keys: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const key of keys) {
    const memoKey = memoKeyOf(key);
    if (!groups.has(memoKey)) groups.set(memoKey, []);
    groups.get(memoKey)!.push(key);
  }
  return groups;
}

/** The median duration in ms of each key with a memo (or with durations this worker has yet to write). */
export async function knownDurations(store: ResultStore, input: { keys: string[] }): Promise<Record<string, number>> {
  const found: Record<string, number> = {};
  for (const [memoKey, keys] of byMemo([...new Set(input.keys)])) {
    const memo = await read(store, memoKey);
    const notYetWritten = new Map<string, number[]>();
    for (const e of [...(writing.get(store) ?? []), ...(unwritten.get(store) ?? [])]) notYetWritten.set(e.key, [...(notYetWritten.get(e.key) ?? []), e.ms]);
    for (const key of keys) {
      const kept = [...(memo.get(key) ?? []), ...(notYetWritten.get(key) ?? [])].slice(-KEPT);
      const median = medianOf(kept);
      if (median !== undefined) found[key] = median;
    }
  }
  return found;
}

/** How long durations gather before they are written (a worker's own lookups see them meanwhile). */
export const DURATIONS_GATHER_MS = 2_000;

/**
 * Adds durations to the memo in the background, with any others that come in for the same store
 * within DURATIONS_GATHER_MS: a task's activity adds its own as it completes, so a run's end waits
 * for no write of its own, and a chain of quick tasks makes one write, not one per task.
 */
export function rememberDurationsLater(store: ResultStore, entries: DurationEntry[], onError: (err: Error) => void): void {
  const batch = unwritten.get(store);
  if (batch) {
    batch.push(...entries);
    return;
  }
  unwritten.set(store, [...entries]);
  fileInBackgroundAfter(DURATIONS_GATHER_MS, async (how) => {
    const taken = unwritten.get(store) ?? [];
    unwritten.delete(store);
    writing.set(store, taken);
    try {
      await recordDurations(store, { entries: taken }, how);
    } finally {
      writing.delete(store);
    }
  }, onError);
}

/** Adds durations to the memo now (the last KEPT per key). */
export async function recordDurations(store: ResultStore, input: { entries: DurationEntry[] }, how: PutOptions = {}): Promise<void> {
  const runs = new Map<string, number[]>();
  for (const e of input.entries) {
    if (!runs.has(e.key)) runs.set(e.key, []);
    runs.get(e.key)!.push(e.ms);
  }
  for (const [memoKey, keys] of byMemo([...runs.keys()])) {
    const memo = await read(store, memoKey);
    for (const key of keys) {
      const kept = [...(memo.get(key) ?? []), ...runs.get(key)!].slice(-KEPT);
      memo.delete(key); // re-inserted last: the most recently run
      memo.set(key, kept);
    }
    for (const oldest of [...memo.keys()].slice(0, Math.max(0, memo.size - MAX_KEYS))) memo.delete(oldest);
    await store.put(memoKey, JSON.stringify(Object.fromEntries(memo)), how).catch(() => undefined);
  }
}
