// A memo of how long tasks took, kept in the result store: the scheduler weighs a task without
// estimatedMinutes by the median of its last runs (same backend, model and work). Best effort:
// a missing or unreadable memo means "unknown", never a failed run.
import type { ActivityDeps } from './deps';
import { keySegment } from '../store/resultStore';
import { medianOf } from '../plan/taskDurationKey';

/** How many durations per task are kept. */
const KEPT = 9;

const memoKey = (key: string) => `durations/${keySegment(key)}.json`;

async function read(deps: ActivityDeps, key: string): Promise<number[]> {
  try {
    const values = JSON.parse(await deps.store.get(memoKey(key))) as unknown;
    return Array.isArray(values) ? values.filter((v): v is number => typeof v === 'number' && v >= 0) : [];
  } catch {
    return [];
  }
}

/** The median duration in ms of each key with a memo. */
export async function knownDurations(deps: ActivityDeps, input: { keys: string[] }): Promise<Record<string, number>> {
  const keys = [...new Set(input.keys)];
  const medians = await Promise.all(keys.map(async (key) => [key, medianOf(await read(deps, key))] as const));
  return Object.fromEntries(medians.filter((m): m is readonly [string, number] => m[1] !== undefined));
}

/** Adds this run's durations to the memo (the last KEPT per key). */
export async function recordDurations(deps: ActivityDeps, input: { entries: Array<{ key: string; ms: number }> }): Promise<void> {
  const byKey = new Map<string, number[]>();
  for (const e of input.entries) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e.ms]);
  await Promise.all(
    [...byKey].map(async ([key, ms]) => {
      const kept = [...(await read(deps, key)), ...ms].slice(-KEPT);
      await deps.store.put(memoKey(key), JSON.stringify(kept)).catch(() => undefined);
    }),
  );
}
