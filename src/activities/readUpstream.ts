// A task's inputs: the outputs of its dependencies, read by reference. One this worker stored
// itself is taken from memory (RecentWrites) when its hash is the one the workflow recorded for
// it; otherwise (another worker wrote it, or rewrote the key since) it is read from the store.
import type { UpstreamOutput } from '../run/types';
import type { ActivityDeps } from './deps';
import { outputHashOf } from './storeOutput';

export interface UpstreamText {
  id: string;
  title: string;
  text: string;
}

export function readUpstream(deps: Pick<ActivityDeps, 'store' | 'recent'>, refs: readonly UpstreamOutput[]): Promise<UpstreamText[]> {
  return Promise.all(refs.map(async (u) => ({ id: u.id, title: u.title, text: recentOutput(deps, u) ?? (await deps.store.get(u.outputRef)) })));
}

function recentOutput(deps: Pick<ActivityDeps, 'recent'>, upstream: UpstreamOutput): string | undefined {
  const text = upstream.outputHash === undefined ? undefined : deps.recent?.recall(upstream.outputRef);
  return text !== undefined && outputHashOf(text) === upstream.outputHash ? text : undefined;
}
