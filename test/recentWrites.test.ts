// A task reads an output its own worker just stored from memory, never a stale or unscrubbed copy;
// a small write a task waits for alone lands whole like any other. No server.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readUpstream } from '../src/activities/readUpstream';
import { outputHashOf } from '../src/activities/storeOutput';
import { Scrubber } from '../src/secrets/scrubber';
import { RecentWrites, rememberingStore } from '../src/store/recentWrites';
import { LocalResultStore, type ResultStore } from '../src/store/resultStore';
import { scrubbingStore } from '../src/store/scrubbingStore';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dagent-recent-test-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** A local store that counts its reads. */
function countingStore(root: string): ResultStore & { reads: number } {
  const local = new LocalResultStore(root);
  const counting = {
    reads: 0,
    put: (key: string, text: string) => local.put(key, text),
    get: (ref: string) => {
      counting.reads++;
      return local.get(ref);
    },
  };
  return counting;
}

describe('outputs read from memory', () => {
  it('takes an output this worker stored from memory when its hash is the recorded one', async () => {
    const disk = countingStore(join(dir, 'a'));
    const recent = new RecentWrites();
    const store = rememberingStore(disk, recent);
    const ref = await store.put('wf/run/T1.md', 'the output of T1');
    const [read] = await readUpstream({ store, recent }, [{ id: 'T1', title: 'One', outputRef: ref, outputHash: outputHashOf('the output of T1') }]);
    expect(read).toEqual({ id: 'T1', title: 'One', text: 'the output of T1' });
    expect(disk.reads).toBe(0);
  });

  it('reads the store when the copy in memory is not the recorded output, or no hash was recorded', async () => {
    const disk = countingStore(join(dir, 'b'));
    const recent = new RecentWrites();
    const store = rememberingStore(disk, recent);
    // This worker's attempt wrote one text; an attempt on another worker then rewrote the key,
    // and its output is the one the workflow recorded.
    const ref = await store.put('wf/run/T1.md', 'first attempt');
    await disk.put('wf/run/T1.md', 'second attempt');
    const [read] = await readUpstream({ store, recent }, [{ id: 'T1', title: 'One', outputRef: ref, outputHash: outputHashOf('second attempt') }]);
    expect(read!.text).toBe('second attempt');
    const [older] = await readUpstream({ store, recent }, [{ id: 'T1', title: 'One', outputRef: ref }]);
    expect(older!.text).toBe('second attempt');
    expect(disk.reads).toBe(2);
  });

  it('keeps the text as stored: scrubbed of the worker’s secrets', async () => {
    const recent = new RecentWrites();
    const secret = 'sk-test-0123456789abcdef';
    const store = scrubbingStore(rememberingStore(new LocalResultStore(join(dir, 'c')), recent), new Scrubber([{ name: 'ANTHROPIC_API_KEY', value: secret }]));
    const ref = await store.put('wf/run/T1.md', `the key is ${secret}`);
    expect(recent.recall(ref)).toBe('the key is [redacted ANTHROPIC_API_KEY]');
    expect(recent.recall(ref)).toBe(await store.get(ref));
  });

  it('holds a bounded amount, dropping the oldest first, and no very large text', () => {
    const recent = new RecentWrites(30);
    recent.remember('a', 'x'.repeat(10));
    recent.remember('b', 'y'.repeat(10));
    recent.remember('c', 'z'.repeat(10));
    recent.remember('d', 'w'.repeat(5));
    expect(['a', 'b', 'c', 'd'].map((k) => recent.recall(k) !== undefined)).toEqual([false, true, true, true]);
    // Rewriting a key replaces its text and counts it once.
    recent.remember('b', 'v'.repeat(10));
    expect(recent.recall('b')).toBe('v'.repeat(10));
    expect(recent.recall('c')).toBe('z'.repeat(10));
    const roomy = new RecentWrites();
    roomy.remember('big', 'x'.repeat(1_000_001));
    expect(roomy.recall('big')).toBeUndefined();
  });
});

describe('a write the task waits for alone', () => {
  it('lands whole under its key with no temporary file left, like any other write', async () => {
    const store = new LocalResultStore(join(dir, 'd'));
    const ref = await store.put('wf/run/T1.md', 'written inline', { alone: true });
    const big = 'b'.repeat(300 * 1024);
    const bigRef = await store.put('wf/run/T2.md', big, { alone: true });
    expect(await store.get(ref)).toBe('written inline');
    expect(await store.get(bigRef)).toBe(big);
    expect((await readdir(join(dir, 'd', 'wf', 'run'))).sort()).toEqual(['T1.md', 'T2.md']);
  });
});
