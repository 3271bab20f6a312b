// The result store cannot be escaped and never shows a half-written output as complete. No server.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keySegment, LocalResultStore, ResultStoreError } from '../src/store/resultStore';

let dir: string;
let store: LocalResultStore;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dagent-store-test-'));
  store = new LocalResultStore(join(dir, 'results'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('LocalResultStore', () => {
  it('stores and reads back text by reference', async () => {
    const ref = await store.put('run/1/T-01.md', 'hello');
    expect(await store.get(ref)).toBe('hello');
  });

  it('refuses keys that could leave its folder', async () => {
    for (const key of ['../escape.md', 'run/../../escape.md', '/etc/passwd', 'run//x', 'run/./x', 'a\\..\\b', 'nul\0byte']) {
      await expect(store.put(key, 'x'), key).rejects.toBeInstanceOf(ResultStoreError);
      await expect(store.get(key), key).rejects.toBeInstanceOf(ResultStoreError);
    }
    expect(await readdir(dir)).toEqual(['results']);
  });

  it('makes any id a single safe path segment', () => {
    for (const id of ['../..', 'a/b', '..', '.', 'wf/with/slashes']) {
      const segment = keySegment(id);
      expect(segment).not.toMatch(/[/\\]/);
      expect(segment).not.toBe('..');
      expect(segment).not.toBe('.');
    }
  });

  it('never reads a half-written output as complete', async () => {
    // A crash mid-write leaves only a temporary file; the key itself does not exist yet.
    const folder = join(dir, 'results', 'run', '2');
    await store.put('run/2/other.md', 'x');
    await writeFile(join(folder, 'T-09.md.1234.tmp'), 'half of the out');
    await expect(store.get('run/2/T-09.md')).rejects.toThrow(/cannot read result "run\/2\/T-09.md"/);
    // Writes go through a temporary file and a rename: concurrent writers never mix.
    const big = (c: string) => c.repeat(2 * 1024 * 1024);
    await Promise.all(['a', 'b', 'c', 'd'].map((c) => store.put('run/2/race.md', big(c))));
    const text = await store.get('run/2/race.md');
    expect(['a', 'b', 'c', 'd'].map(big)).toContain(text);
  });
});
