// The baseline: the smallest Temporal workflows that do what a dagent chain and fan-out do (one
// activity per task, each calling the LLM), with none of dagent's bookkeeping. Bundled by the
// benchmark and run on the same server and worker process as dagent.
import { proxyActivities } from '@temporalio/workflow';
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
