// A big run's task records put back together: those listed in its RunResult and those in its
// ledger pages, one record per task (the latest), each map followed by its items in item order.
// Pure.
import { mapItemOf } from '../plan/expandMap';
import type { TaskRecord } from './types';

export function isMapItem(taskId: string): boolean {
  return mapItemOf(taskId) !== undefined;
}

export function mergeTaskRecords(listed: readonly TaskRecord[], pages: ReadonlyArray<readonly TaskRecord[]>): TaskRecord[] {
  const latest = new Map<string, TaskRecord>();
  for (const page of pages) for (const r of page) latest.set(r.id, r);
  for (const r of listed) latest.set(r.id, r);
  const itemsOf = new Map<string, Array<{ index: number; record: TaskRecord }>>();
  for (const r of latest.values()) {
    const item = mapItemOf(r.id);
    if (!item) continue;
    const items = itemsOf.get(item.mapId) ?? [];
    items.push({ index: item.index, record: r });
    itemsOf.set(item.mapId, items);
  }
  const merged: TaskRecord[] = [];
  for (const r of listed) {
    if (isMapItem(r.id)) continue;
    merged.push(latest.get(r.id)!);
    const items = itemsOf.get(r.id);
    if (!items) continue;
    items.sort((a, b) => a.index - b.index);
    for (const { record } of items) merged.push(record);
    itemsOf.delete(r.id);
  }
  // Items whose map is not listed (not expected): kept, at the end.
  for (const items of itemsOf.values()) for (const { record } of items.sort((a, b) => a.index - b.index)) merged.push(record);
  return merged;
}
