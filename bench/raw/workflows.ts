// The baseline: the smallest Temporal workflows that do what a dagent chain and fan-out do (one
// activity per task, each calling the LLM), with none of dagent's bookkeeping. Bundled by the
// benchmark and run on the same server and worker process as dagent.
import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { RawActivities } from './activities';

const { rawTask } = proxyActivities<RawActivities>({ startToCloseTimeout: '1 minute' });

/** Tasks one after another: each starts when the previous one finished. */
export async function rawChain(n: number): Promise<number> {
  let bytes = 0;
  for (let i = 0; i < n; i++) bytes += (await rawTask(`R${String(i).padStart(3, '0')}`)).length;
  return bytes;
}

/** All tasks at once. */
export async function rawFanOut(n: number): Promise<number> {
  const outputs = await Promise.all(Array.from({ length: n }, (_, i) => rawTask(`R${String(i).padStart(3, '0')}`)));
  return outputs.reduce((sum, o) => sum + o.length, 0);
}

/**
 * `n` tasks, `parallel` at a time, continuing as new after every `perRun` tasks so that no
 * history nears Temporal's limits: the floor for a 10,000-task dagent run. Like dagent, a run
 * lets its tasks under way finish before it hands over.
 */
export async function rawPool(n: number, parallel: number, perRun: number, done = 0): Promise<number> {
  const end = Math.min(n, done + perRun);
  let next = done;
  const lane = async (): Promise<void> => {
    while (next < end) await rawTask(`R${next++}`);
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  if (end < n) return continueAsNew<typeof rawPool>(n, parallel, perRun, end);
  return n;
}
