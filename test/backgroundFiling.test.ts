// The cross-run cache's index and the duration memo are filed in the background: an entry waits
// while tasks are at work in the worker (their own output writes go first), is filed once none has
// been for a moment, and is found by the worker's own lookups meanwhile;
// a backlog is filed under load too, and a closing worker waits for the rest. A store that cannot
// file says so. Durations waiting are batched into one write, and the worker's own lookups see
// them before it. No server; a real store on disk.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backgroundFilingDone, FILE_UNDER_LOAD_PAST, QUIET_MS } from '../src/activities/backgroundFiling';
import { fileForReuseLater, findReusable, reuseIndexKey } from '../src/activities/reuse';
import { knownDurations, rememberDurationsLater } from '../src/activities/taskDurations';
import { atWork } from '../src/activities/tasksAtWork';
import type { ReusableOutput } from '../src/run/types';
import { LocalResultStore } from '../src/store/resultStore';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dagent-reuse-filing-test-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const entry = (n: number): ReusableOutput => ({ taskId: `T${n}`, reuseKey: `key${n}`, outputRef: `wf/run/T${n}.md`, outputHash: `hash${n}`, preview: `output ${n}`, outputBytes: 8, workflowId: 'wf' });

/** A task at work until `finish` is called. */
function taskAtWork(): { finish: () => void; done: Promise<void> } {
  let finish!: () => void;
  const done = atWork(() => new Promise<void>((resolve) => (finish = resolve)));
  return { finish, done };
}

const filed = (store: LocalResultStore, n: number) =>
  store.get(reuseIndexKey(`key${n}`)).then(
    (text) => JSON.parse(text) as ReusableOutput,
    () => undefined,
  );

async function eventually<T>(read: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('not filed within 2 s');
}

describe('filing outputs for reuse', () => {
  it('waits while a task is at work, then files the entry, findable by its key', async () => {
    const store = new LocalResultStore(join(dir, 'a'));
    await store.put('wf/run/T1.md', 'output 1');
    let filedAt = 0;
    const put = store.put.bind(store);
    store.put = async (key, text, how) => {
      filedAt = Date.now();
      return put(key, text, how);
    };
    const task = taskAtWork();
    const errors: Error[] = [];
    fileForReuseLater(store, entry(1), (err) => errors.push(err));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await filed(store, 1)).toBeUndefined();
    // Not filed yet, yet this worker's own lookups find it: a run started now reuses the output.
    expect(await findReusable({ store } as never, { keys: ['key1'] })).toEqual([entry(1)]);

    const ended = Date.now();
    task.finish();
    await task.done;
    expect(await eventually(() => filed(store, 1))).toEqual(entry(1));
    // Not in the moment after the task (a chain's next task may start in it): once the worker has been quiet for a while.
    expect(filedAt - ended).toBeGreaterThanOrEqual(QUIET_MS);
    expect(await findReusable({ store } as never, { keys: ['key1'] })).toEqual([entry(1)]);
    expect(errors).toEqual([]);
  });

  it(`files a backlog of more than ${FILE_UNDER_LOAD_PAST} entries while tasks are still at work, oldest first`, async () => {
    const store = new LocalResultStore(join(dir, 'b'));
    const task = taskAtWork();
    const count = FILE_UNDER_LOAD_PAST + 3;
    for (let n = 0; n < count; n++) fileForReuseLater(store, entry(n), (err) => expect.fail(err.message));
    // The oldest three go under load; the rest wait for the task.
    expect(await eventually(() => filed(store, 2))).toEqual(entry(2));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await filed(store, 3)).toBeUndefined();

    task.finish();
    await task.done;
    expect(await eventually(() => filed(store, count - 1))).toEqual(entry(count - 1));
  });

  it('lets a closing worker wait until every entry waiting is filed, for a bounded time', async () => {
    const store = new LocalResultStore(join(dir, 'd'));
    const task = taskAtWork();
    for (let n = 20; n < 30; n++) fileForReuseLater(store, entry(n), (err) => expect.fail(err.message));
    // While a task holds them back, the wait ends at its bound and says how many are left.
    expect(await backgroundFilingDone(50)).toBe(10);

    let done = false;
    const closing = backgroundFilingDone(5_000).then((left) => {
      done = true;
      return left;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(done).toBe(false);
    task.finish();
    expect(await closing).toBe(0);
    for (let n = 20; n < 30; n++) expect(await filed(store, n)).toEqual(entry(n));
  });

  it('says so when the store cannot file an entry, and files the next', async () => {
    // The store's root is a file: no folder can be made under it.
    const blocked = join(dir, 'not-a-folder');
    await writeFile(blocked, 'a file');
    const errors: Error[] = [];
    fileForReuseLater(new LocalResultStore(blocked), entry(7), (err) => errors.push(err));
    const store = new LocalResultStore(join(dir, 'c'));
    fileForReuseLater(store, entry(8), (err) => errors.push(err));
    expect(await eventually(() => filed(store, 8))).toEqual(entry(8));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/ENOTDIR|EEXIST/);
  });
});

describe('remembering task durations', () => {
  it('gathers durations into one write per memo, known to the worker\'s lookups before it, written at once when the worker closes', async () => {
    const store = new LocalResultStore(join(dir, 'durations'));
    const writes: string[] = [];
    const put = store.put.bind(store);
    store.put = async (key, text) => {
      writes.push(key);
      return put(key, text);
    };
    const task = taskAtWork();
    for (const ms of [100, 300, 200]) rememberDurationsLater(store, [{ key: 'anthropic-abc', ms }], (err) => expect.fail(err.message));
    rememberDurationsLater(store, [{ key: 'shell-def', ms: 40 }], (err) => expect.fail(err.message));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(writes).toEqual([]);
    // Not written yet, yet this worker knows them: a run that starts now weighs those tasks.
    expect(await knownDurations(store, { keys: ['anthropic-abc', 'shell-def', 'anthropic-new'] })).toEqual({ 'anthropic-abc': 200, 'shell-def': 40 });

    task.finish();
    await task.done;
    // With no task at work, they still gather for a while (a chain's next task may be moments away)...
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(writes).toEqual([]);
    // ...unless the worker closes: then they are written at once.
    expect(await backgroundFilingDone(5_000)).toBe(0);
    // One write per backend's memo, all four durations in them; another worker reads the same.
    expect(writes.sort()).toEqual(['durations/anthropic.json', 'durations/shell.json']);
    expect(await knownDurations(new LocalResultStore(join(dir, 'durations')), { keys: ['anthropic-abc', 'shell-def'] })).toEqual({ 'anthropic-abc': 200, 'shell-def': 40 });
  });
});
