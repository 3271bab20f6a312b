// The completed items of a map, written compactly for a run that continues as new. A 10,000-item
// map's records are ~6 MB as JSON, over the 2 MB a payload may have; what the next run of the
// chain needs of a completed item (to count it, sum its usage and time, and hand its output on)
// fits in ~40 bytes. Its full record (preview, hashes, reuse key) went to the run's ledger in the
// result store first, and the RunResult points there. Pure.
import type { Task } from '../plan/schema';
import type { TaskRecord } from './types';

/**
 * One completed item: [index, reused (0/1), attempts, startedAt − base (−1: none), durationMs,
 * output folder (index into `folders`), outputBytes, inputTokens, outputTokens, costUsd,
 * cacheReadTokens, cacheWriteTokens, model (1 + index into `models`, 0: none), truncated (0/1)].
 * Trailing zeros are left off.
 */
export type CompactItemRow = number[];

export interface CompactItems {
  /** Epoch ms the items' start times count from. */
  base: number;
  /** Output folders (`<workflow>/<run>`): an output's reference is `<folder>/<file>`, its file named from the item's id. */
  folders: string[];
  models: string[];
  /** Per map, its completed items. */
  maps: Array<[string, CompactItemRow[]]>;
}

/**
 * The file name a task's output is stored under (the store's keySegment for short ids, which item
 * ids are): a compact row keeps only the folder, and the file comes back from the id.
 */
export function outputFileOf(taskId: string): string {
  return `${encodeURIComponent(taskId).replace(/\./g, '%2E')}.md`;
}

/** The folder of a task's output when its reference is `<folder>/<the file named from its id>`, else undefined. */
export function outputFolderOf(record: Pick<TaskRecord, 'id' | 'outputRef'>): string | undefined {
  const file = `/${outputFileOf(record.id)}`;
  return record.outputRef?.endsWith(file) ? record.outputRef.slice(0, -file.length) : undefined;
}

/** A completed item whose record the compact row holds whole, but for what the ledger keeps (preview, hashes, reuse key). */
export function isCompactable(record: TaskRecord): boolean {
  return (
    (record.status === 'Completed' || record.status === 'Reused') &&
    outputFolderOf(record) !== undefined &&
    record.error === undefined &&
    record.reason === undefined &&
    record.exitCode === undefined &&
    record.reusedFrom === undefined &&
    !record.filesRead?.length
  );
}

export function compactItems(byMap: ReadonlyMap<string, ReadonlyArray<{ index: number; record: TaskRecord }>>): CompactItems {
  const folders = new Dictionary();
  const models = new Dictionary();
  let base = Number.MAX_SAFE_INTEGER;
  for (const items of byMap.values()) for (const { record } of items) if (record.startedAt !== undefined) base = Math.min(base, record.startedAt);
  if (base === Number.MAX_SAFE_INTEGER) base = 0;
  const maps: CompactItems['maps'] = [];
  for (const [mapId, items] of byMap) {
    const rows = items.map(({ index, record: r }) => {
      const folder = outputFolderOf(r)!;
      const u = r.usage;
      const row = [
        index,
        r.status === 'Reused' ? 1 : 0,
        r.attempts,
        r.startedAt === undefined ? -1 : r.startedAt - base,
        r.durationMs ?? 0,
        folders.index(folder),
        r.outputBytes ?? 0,
        u?.inputTokens ?? 0,
        u?.outputTokens ?? 0,
        u?.costUsd ?? 0,
        u?.cacheReadTokens ?? 0,
        u?.cacheWriteTokens ?? 0,
        r.model === undefined ? 0 : models.index(r.model) + 1,
        r.truncated ? 1 : 0,
      ];
      while (row.length > 1 && row[row.length - 1] === 0) row.pop();
      return row;
    });
    maps.push([mapId, rows]);
  }
  return { base, folders: folders.values, models: models.values, maps };
}

/** The record of a completed item again, as far as the compact row holds it (its task gives id, title, backend). */
export function inflateItem(row: CompactItemRow, task: Task, items: CompactItems): TaskRecord {
  const at = (i: number) => row[i] ?? 0;
  const startedAt = at(3) < 0 ? undefined : items.base + at(3);
  const folder = items.folders[at(5)]!;
  const usage = { inputTokens: at(7), outputTokens: at(8), ...(at(9) ? { costUsd: at(9) } : {}), ...(at(10) ? { cacheReadTokens: at(10) } : {}), ...(at(11) ? { cacheWriteTokens: at(11) } : {}) };
  const model = at(12) > 0 ? items.models[at(12) - 1] : undefined;
  return {
    id: task.id,
    title: task.title,
    backend: task.backend ?? 'anthropic',
    status: at(1) === 1 ? 'Reused' : 'Completed',
    attempts: at(2),
    dependsOn: task.dependsOn ?? [],
    ...(startedAt !== undefined ? { startedAt, finishedAt: startedAt + at(4), durationMs: at(4) } : {}),
    outputRef: `${folder}/${outputFileOf(task.id)}`,
    outputBytes: at(6),
    usage,
    ...(usage.costUsd !== undefined ? { costUsd: usage.costUsd } : {}),
    ...(model !== undefined ? { model } : {}),
    ...(at(13) === 1 ? { truncated: true as const } : {}),
    ...(task.tags ? { tags: task.tags } : {}),
    ...(task.meta ? { meta: task.meta } : {}),
  };
}

/** Strings numbered in the order first seen: rows name a folder or a model by its number. */
export class Dictionary {
  readonly values: string[] = [];
  private readonly at = new Map<string, number>();
  index(value: string): number {
    let i = this.at.get(value);
    if (i === undefined) {
      i = this.values.push(value) - 1;
      this.at.set(value, i);
    }
    return i;
  }
}
