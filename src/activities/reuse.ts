// Outputs a task can take instead of running: those of the run being rerun (earlierRun) and those
// filed by reuse key in the store by any run (findReusable, for the opt-in cross-run cache). An
// output is offered only if it can still be read: `dagent gc` may have removed it, and then the
// task runs again rather than hand its dependents a dangling reference.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { ReusableOutput, RunResult, TaskRecord } from '../run/types';
import type { ResultStore } from '../store/resultStore';
import { readRunTasks } from '../store/runTasks';
import type { ActivityDeps } from './deps';
import { tasksAtWork, whenIdle } from './tasksAtWork';

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

async function fileForReuse(store: ResultStore, entry: ReusableOutput): Promise<void> {
  await store.put(reuseIndexKey(entry.reuseKey), JSON.stringify(entry));
}

interface Waiting {
  store: ResultStore;
  entry: ReusableOutput;
  onError: (err: Error) => void;
}

/** Entries not filed yet, oldest first (see fileForReuseLater). */
const waiting: Waiting[] = [];
/** The filing loop while it runs. */
let filing: Promise<void> | undefined;
/** Wakes the filing loop while it waits for its turn: when the last task at work ends, or a backlog builds. */
let wakeFiling: (() => void) | undefined;
whenIdle(() => wakeFiling?.());
/** Past this many entries waiting, new ones are dropped (said through onError): a later run then runs those tasks. */
const MAX_WAITING = 10_000;
/** Past this many entries waiting, they are filed while tasks are at work too. */
export const FILE_UNDER_LOAD_PAST = 1_000;

/**
 * Files an entry for the cross-run cache after its task completed: one write at a time per worker,
 * while no task is at work in it (or once more than FILE_UNDER_LOAD_PAST wait). Filing is best
 * effort and nothing waits for it, while every task waits for its own output's write: in a fan-out
 * of 500, index writes made as tasks completed took a third of dagent's time over the raw workflow.
 */
export function fileForReuseLater(store: ResultStore, entry: ReusableOutput, onError: (err: Error) => void): void {
  if (waiting.length >= MAX_WAITING) {
    onError(new Error(`${MAX_WAITING} entries are already waiting to be filed`));
    return;
  }
  waiting.push({ store, entry, onError });
  if (waiting.length > FILE_UNDER_LOAD_PAST) wakeFiling?.();
  filing ??= fileWaiting();
}

/**
 * Waits until every entry waiting has been filed (or has failed to be), for at most `withinMs`: a
 * closing worker waits for it. Returns how many entries were still waiting then (a store that
 * hangs must not keep a worker from stopping).
 */
export async function reuseFilingDone(withinMs: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), withinMs)));
  try {
    // The loop may start again for entries added meanwhile.
    while (filing && (await Promise.race([filing, late])) !== 'late');
  } finally {
    clearTimeout(timer);
  }
  return waiting.length;
}

async function fileWaiting(): Promise<void> {
  try {
    while (waiting.length > 0) {
      if (waiting.length <= FILE_UNDER_LOAD_PAST && tasksAtWork() > 0) {
        await new Promise<void>((resolve) => (wakeFiling = resolve));
        wakeFiling = undefined;
        continue;
      }
      // After the last task's result has gone back to the server.
      await new Promise((resolve) => setImmediate(resolve));
      const next = waiting.shift()!;
      await fileForReuse(next.store, next.entry).catch((err: unknown) => next.onError(err as Error));
    }
  } finally {
    filing = undefined;
  }
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
      const entry = await deps.store.get(reuseIndexKey(key)).then((text) => JSON.parse(text) as ReusableOutput, () => undefined);
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
