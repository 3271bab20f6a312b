// What this worker wrote to the result store lately, kept in memory: a task whose dependency ran on
// the same worker (always, with one worker) reads that output from here instead of from the store,
// which in a chain of quick tasks is a noticeable part of each hop. The caller checks a recalled
// text against the hash the workflow recorded, so a key rewritten elsewhere (a retry that ran on
// another worker) is never read stale: it is read from the store.
import type { ResultStore } from './resultStore';

/** Texts longer than this are not kept: reading a large output is small next to what made it. */
const MAX_KEPT_CHARS = 1_000_000;

export class RecentWrites {
  private readonly texts = new Map<string, string>();
  private chars = 0;

  constructor(private readonly maxChars = 32_000_000) {}

  remember(ref: string, text: string): void {
    this.forget(ref);
    if (text.length > MAX_KEPT_CHARS) return;
    this.texts.set(ref, text);
    this.chars += text.length;
    // Oldest first (a Map keeps insertion order): dependents read an output soon after it is written.
    for (const [oldest, kept] of this.texts) {
      if (this.chars <= this.maxChars) break;
      this.texts.delete(oldest);
      this.chars -= kept.length;
    }
  }

  recall(ref: string): string | undefined {
    return this.texts.get(ref);
  }

  private forget(ref: string): void {
    const kept = this.texts.get(ref);
    if (kept === undefined) return;
    this.texts.delete(ref);
    this.chars -= kept.length;
  }
}

/** The store, remembering in `recent` what it writes (the text as stored, so scrubbed when wrapped by the scrubbing store). */
export function rememberingStore(store: ResultStore, recent: RecentWrites): ResultStore {
  return {
    put: async (key, text, how) => {
      const ref = await store.put(key, text, how);
      recent.remember(ref, text);
      return ref;
    },
    get: (ref) => store.get(ref),
  };
}
