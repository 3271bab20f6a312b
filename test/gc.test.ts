// `dagent gc` on the local store: old runs go whole, a run with any recent object stays whole, a
// dry run removes nothing. Ages are set on the files, not waited for. (The S3 store's gc is in
// s3Store.test.ts, next to its server.)
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { gcCommand, parseAge } from '../src/client/gcCommand';
import { CliError } from '../src/client/exitCodes';
import { LocalResultStore } from '../src/store/resultStore';
import { cleanEnv, spawnDagent } from './support/processes';

const DAY = 86_400_000;
let dir: string;
let store: LocalResultStore;

async function putAged(key: string, ageDays: number): Promise<void> {
  await store.put(key, `text of ${key}`);
  const when = new Date(Date.now() - ageDays * DAY);
  await utimes(join(store.root, ...key.split('/')), when, when);
}

async function keys(): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of store.entries()) found.push(entry.key);
  return found.sort();
}

beforeEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = await mkdtemp(join(tmpdir(), 'dagent-gc-test-'));
  store = new LocalResultStore(join(dir, 'results'));
  await putAged('wf-old/run-1/T-01.md', 40);
  await putAged('wf-old/run-1/report.md', 35);
  await putAged('wf-mixed/run-2/T-01.md', 40);
  await putAged('wf-mixed/run-2/T-02.md', 1);
  await putAged('plans/old.json', 60);
  await putAged('plans/new.json', 2);
  await putAged('durations/anthropic.json', 45);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('dagent gc', () => {
  it('--dry-run names what would go and removes nothing', async () => {
    const lines: string[] = [];
    expect(await gcCommand({ olderThan: '30d', dryRun: true }, { DAGENT_STORE: store.root }, (l) => lines.push(l))).toBe(0);
    expect(lines.filter((l) => l.startsWith('would remove ')).map((l) => l.split(' ')[2])).toEqual(['durations/anthropic.json', 'plans/old.json', 'wf-old/run-1']);
    expect(lines.at(-1)).toMatch(/: would remove 3 run\(s\) or file\(s\), 4 object\(s\), .*; kept 2 newer than 30d$/);
    expect(await keys()).toHaveLength(7);
  });

  it('removes old runs whole, with their folders, and keeps a run that wrote anything recently', async () => {
    const lines: string[] = [];
    expect(await gcCommand({ olderThan: '30d' }, { DAGENT_STORE: `file://${store.root}` }, (l) => lines.push(l))).toBe(0);
    expect(await keys()).toEqual(['plans/new.json', 'wf-mixed/run-2/T-01.md', 'wf-mixed/run-2/T-02.md']);
    expect((await readdir(store.root)).sort()).toEqual(['plans', 'wf-mixed']);
    expect(lines.at(-1)).toContain('removed 3 run(s) or file(s), 4 object(s)');
  });

  it('removes nothing from a folder that holds anything dagent did not write', async () => {
    await writeFile(join(store.root, 'notes.txt'), 'mine');
    const old = new Date(Date.now() - 90 * DAY);
    await utimes(join(store.root, 'notes.txt'), old, old);
    await expect(gcCommand({ olderThan: '30d' }, { DAGENT_STORE: store.root }, () => {})).rejects.toThrow(
      `${store.root} holds "notes.txt", which dagent did not write: gc removes nothing from a store that holds anything else`,
    );
    expect(await keys()).toHaveLength(8);
  });

  it('refuses an age it cannot read, naming the flag', () => {
    expect(parseAge('30d')).toBe(30 * DAY);
    expect(parseAge('12h')).toBe(12 * 3_600_000);
    for (const bad of ['30', '30 days', '-1d', 'd']) {
      expect(() => parseAge(bad), bad).toThrow(CliError);
      expect(() => parseAge(bad), bad).toThrow(`--older-than must be a number followed by d, h or m (days, hours, minutes), like 30d; got "${bad}"`);
    }
  });
});

describe('dagent gc through the CLI', () => {
  it('dry-runs and then removes old runs of the store DAGENT_STORE names; a bad age exits 2', async () => {
    const env = cleanEnv({ DAGENT_STORE: `file://${store.root}` });
    const dry = spawnDagent(['gc', '--older-than', '30d', '--dry-run'], env);
    expect(await dry.exited, dry.stderr()).toBe(0);
    expect(dry.stdout()).toContain('would remove wf-old');
    expect(await keys()).toContain('wf-old/run-1/T-01.md');
    const real = spawnDagent(['gc', '--older-than', '30d'], env);
    expect(await real.exited, real.stderr()).toBe(0);
    expect(await keys()).not.toContain('wf-old/run-1/T-01.md');
    expect(await keys()).toContain('wf-mixed/run-2/T-02.md');
    const bad = spawnDagent(['gc', '--older-than', 'soon'], env);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toContain('--older-than must be a number followed by d, h or m');
  });
});
