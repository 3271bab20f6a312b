// A finished run's task outputs, read back from the result store: history carries only their
// references and previews, so a client that prints outputs (`--json`) reads them here.
import type { RunResult } from '../run/types';
import type { ResultStore } from '../store/resultStore';
import { readRunTasks } from '../store/runTasks';

/** Most output text put into one printed result; past it, tasks keep only their outputRef. */
export const PRINTED_OUTPUTS_BUDGET = 256 * 1024;
const READS_AT_ONCE = 16;

export interface ResultWithOutputs {
  result: RunResult;
  /** Why some outputs could not be read (a store on another machine), once. */
  unreadable?: string;
}

export async function withOutputs(result: RunResult, store: ResultStore, budget = PRINTED_OUTPUTS_BUDGET): Promise<ResultWithOutputs> {
  let unreadable: string | undefined;
  // A big run's completed map items come from its ledger pages.
  const merged = await readRunTasks(result, store).catch((err: Error) => {
    unreadable = err.message;
    return undefined;
  });
  const tasks = [...(merged ?? result.tasks)];
  let left = budget;
  const wanted = tasks.flatMap((t, i) => ((t.status === 'Completed' || t.status === 'Reused') && t.outputRef && t.output === undefined ? [i] : []));
  for (let start = 0; start < wanted.length && left > 0; start += READS_AT_ONCE) {
    const batch = wanted.slice(start, start + READS_AT_ONCE);
    const texts = await Promise.all(
      batch.map((i) =>
        store.get(tasks[i]!.outputRef!).catch((err: Error) => {
          unreadable ??= err.message;
          return undefined;
        }),
      ),
    );
    batch.forEach((i, k) => {
      const text = texts[k];
      if (text === undefined || text.length > left) return;
      left -= text.length;
      tasks[i] = { ...tasks[i]!, output: text };
    });
  }
  const { taskPages, ...rest } = result;
  return { result: { ...rest, tasks, ...(merged ? {} : taskPages ? { taskPages } : {}) }, ...(unreadable ? { unreadable } : {}) };
}
