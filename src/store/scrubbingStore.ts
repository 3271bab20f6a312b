// A result store that scrubs what it is given before storing it: task outputs, reports and plans
// written by activities never carry a secret of the worker to disk or to a shared bucket.
import type { Scrubber } from '../secrets/scrubber';
import type { ResultStore } from './resultStore';

export function scrubbingStore(store: ResultStore, scrubber: Scrubber): ResultStore {
  return {
    put: (key, text, how) => store.put(key, scrubber.scrub(text), how),
    get: (ref) => store.get(ref),
  };
}
