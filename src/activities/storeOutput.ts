// A task's output into the result store, and the outcome the workflow gets back: a reference, a
// preview, and the text itself only when small (history keeps references, not outputs).
import type { Context } from '@temporalio/activity';
import { INLINE_OUTPUT_LIMIT, previewOf } from '../text/shortenText';
import type { TaskOutcome } from '../run/types';
import { keySegment } from '../store/resultStore';
import { runKeyOf, type ActivityDeps } from './deps';

export async function storeOutput(deps: ActivityDeps, ctx: Context, taskId: string, text: string, rest: Omit<TaskOutcome, 'outputRef' | 'output' | 'preview' | 'outputBytes'>): Promise<TaskOutcome> {
  // The store and the worker's interceptor scrub secrets from everything that leaves here.
  const outputRef = await deps.store.put(`${runKeyOf(ctx)}/${keySegment(taskId)}.md`, text);
  const bytes = Buffer.byteLength(text, 'utf8');
  return { outputRef, output: bytes <= INLINE_OUTPUT_LIMIT ? text : undefined, preview: previewOf(text), outputBytes: bytes, ...rest };
}
