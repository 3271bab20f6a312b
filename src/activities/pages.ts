// Pages of a workflow's big JSON state, filed in and read back from the result store (see
// text/pages.ts): each page under the run's own folder, so pages of two runs never meet.
import { Context } from '@temporalio/activity';
import { keySegment } from '../store/resultStore';
import { runKeyOf, type ActivityDeps } from './deps';

export async function storePage(deps: ActivityDeps, input: { name: string; index: number; text: string }): Promise<string> {
  return deps.store.put(`${runKeyOf(Context.current())}/${keySegment(input.name)}.${input.index}.json`, input.text);
}

export async function readPage(deps: ActivityDeps, input: { ref: string }): Promise<string> {
  return deps.store.get(input.ref);
}
