// Outputs a task can take instead of running: those of the run being rerun (earlierRun) and those
// filed by reuse key in the store by any run (findReusable, for the opt-in cross-run cache). An
// output is offered only if it can still be read: `dagent gc` may have removed it, and then the
// task runs again rather than hand its dependents a dangling reference.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { ReusableOutput, RunResult, TaskRecord } from '../run/types';
import type { PutOptions, ResultStore } from '../store/resultStore';
import { readRunTasks } from '../store/runTasks';
import type { ActivityDeps } from './deps';
import { fileInBackground } from './backgroundFiling';

/** Where an output is filed for the cross-run cache. */
export function reuseIndexKey(reuseKey: string): string {
  return `reuse/${reuseKey}.json`;
}

/** An output as the reuse index and a rerun offer it: where it is, what it hashes to, which run made it. */
export function reusableOutput(taskId: string, reuseKey: string, output: Pick<TaskRecord, 'outputRef' | 'outputHash' | 'preview' | 'outputBytes' | 'model' | 'truncated'> & { outputRef: string; outputHash: string }, workflowId: string): ReusableOutput {
  return {
    taskId,
    reuseKey,
    outputRef: output.outputRef,
    outputHash: output.outputHash,
    preview: output.preview ?? '',
    outputBytes: output.outputBytes ?? 0,
    ...(output.model ? { model: output.model } : {}),
    ...(output.truncated ? { truncated: true as const } : {}),
    workflowId,
  };
}

async function fileForReuse(store: ResultStore, entry: ReusableOutput, how: PutOptions): Promise<void> {
  await store.put(reuseIndexKey(entry.reuseKey), JSON.stringify(entry), how);
}

/** Entries this worker has yet to file, by store and reuse key: its own lookups find them meanwhile. */
const unfiled = new WeakMap<ResultStore, Map<string, ReusableOutput>>();

/**
 * Files an entry for the cross-run cache after its task completed, in the background (see
 * backgroundFiling.ts): a run that cannot file it still has its output, and a later run just runs
 * that task.
 */
export function fileForReuseLater(store: ResultStore, entry: ReusableOutput, onError: (err: Error) => void): void {
  let entries = unfiled.get(store);
  if (!entries) unfiled.set(store, (entries = new Map()));
  const forget = () => {
    if (entries.get(entry.reuseKey) === entry) entries.delete(entry.reuseKey);
  };
  entries.set(entry.reuseKey, entry);
  if (!fileInBackground((how) => fileForReuse(store, entry, how).finally(forget), onError)) forget();
}

export interface EarlierRun {
  outputs: ReusableOutput[];
  /** Completed tasks whose outputs are gone from the store (they run again). */
  unreadable: string[];
}

export async function earlierRun(deps: ActivityDeps, input: { workflowId: string }): Promise<EarlierRun> {
  if (!deps.runResultOf) throw ApplicationFailure.nonRetryable('this worker cannot read other runs (no Temporal client)', 'ReuseFromFailed');
  const result: RunResult = await deps.runResultOf(input.workflowId);
  const outputs: ReusableOutput[] = [];
  const unreadable: string[] = [];
  await Promise.all(
    (await readRunTasks(result, deps.store)).map(async (t) => {
      if ((t.status !== 'Completed' && t.status !== 'Reused') || !t.reuseKey || !t.outputRef || !t.outputHash) return;
      if (!(await readable(deps.store, t.outputRef))) {
        unreadable.push(t.id);
        return;
      }
      // A task reused in that run came from an earlier one still: name the run that made it.
      outputs.push(reusableOutput(t.id, t.reuseKey, { ...t, outputRef: t.outputRef, outputHash: t.outputHash }, t.reusedFrom ?? result.workflowId));
    }),
  );
  Context.current().heartbeat();
  return { outputs: outputs.sort((a, b) => (a.taskId < b.taskId ? -1 : 1)), unreadable: unreadable.sort() };
}

export async function findReusable(deps: ActivityDeps, input: { keys: string[] }): Promise<ReusableOutput[]> {
  const found = await Promise.all(
    input.keys.map(async (key) => {
      const entry = unfiled.get(deps.store)?.get(key) ?? (await deps.store.get(reuseIndexKey(key)).then((text) => JSON.parse(text) as ReusableOutput, () => undefined));
      return entry?.reuseKey === key && (await readable(deps.store, entry.outputRef)) ? entry : undefined;
    }),
  );
  return found.filter((e): e is ReusableOutput => e !== undefined);
}

async function readable(store: ResultStore, ref: string): Promise<boolean> {
  return store.get(ref).then(
    () => true,
    () => false,
  );
}
