// A task's output into the result store, and the outcome the workflow gets back: a reference and
// a preview, never the text (history keeps references; clients read outputs from the store).
import type { Context } from '@temporalio/activity';
import { createHash } from 'node:crypto';
import { previewOf } from '../text/shortenText';
import type { TaskOutcome } from '../run/types';
import { keySegment } from '../store/resultStore';
import { runKeyOf, type ActivityDeps } from './deps';
import { workingAlone } from './tasksAtWork';

export async function storeOutput(deps: ActivityDeps, ctx: Context, taskId: string, text: string, rest: Omit<TaskOutcome, 'outputRef' | 'output' | 'preview' | 'outputBytes'>): Promise<TaskOutcome> {
  // The store and the worker's interceptor scrub secrets from everything that leaves here.
  const stored = deps.store.put(`${runKeyOf(ctx)}/${keySegment(taskId)}.md`, text, { alone: workingAlone() });
  // Worked out while the store writes.
  const described = { preview: previewOf(text), outputBytes: Buffer.byteLength(text, 'utf8'), outputHash: outputHashOf(text) };
  return { outputRef: await stored, ...described, ...rest };
}

/** The hash a dependent's reuse key is built from. */
export function outputHashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}
