// Every task record of a finished run: its RunResult's own, and for a big run those in its ledger
// pages in the result store (RunResult.taskPages).
import { mergeTaskRecords } from '../run/mergeTaskRecords';
import type { RunResult, TaskRecord } from '../run/types';
import { readPagedJson } from './pagedJson';
import type { ResultStore } from './resultStore';

export async function readRunTasks(result: Pick<RunResult, 'tasks' | 'taskPages'>, store: ResultStore): Promise<TaskRecord[]> {
  if (!result.taskPages?.length) return result.tasks;
  const pages = await Promise.all(result.taskPages.map((ref) => readPagedJson<TaskRecord[]>(store, ref)));
  return mergeTaskRecords(result.tasks, pages);
}
