// What a 10,000-task run carries when it continues as new, and how its result lists its tasks,
// without a server: the task table's compact snapshot (completed map items ledgered), restored
// as it was; and the records put back together from the result and the ledger pages.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../src/plan/schema';
import { renderTable } from '../src/client/progress';
import { outputFileOf } from '../src/run/compactItems';
import { mergeTaskRecords } from '../src/run/mergeTaskRecords';
import { computeRunStats } from '../src/run/runStats';
import { readPagedJson, writePagedJson } from '../src/store/pagedJson';
import { LocalResultStore } from '../src/store/resultStore';
import { TaskTable } from '../src/run/taskTable';
import { countStatuses, type TaskRecord } from '../src/run/types';

const ITEMS = 9_998;
const plan: Plan = {
  tasks: [
    { id: 'MAP', title: 'Review each file', prompt: 'Review {{item}} and list what is wrong.', forEach: { items: ['placeholder'] } },
    { id: 'REDUCE', title: 'Reduce', prompt: 'Merge the reviews.', dependsOn: ['MAP'] },
  ],
};

/** A run of a 9,998-item map at the moment it hands over: `completed` items done, 5 failed, the rest waiting. */
function bigRun(completed: number) {
  const table = new TaskTable(plan);
  let now = 1_800_000_000_000;
  table.promoteReady(now);
  table.markRunning('MAP', now);
  table.expandMap('MAP', Array.from({ length: ITEMS }, (_, i) => `src/module${i % 40}/file${i}.ts`));
  table.promoteReady(now);
  const started = table.nextToStart(completed + 5);
  for (const id of started) table.markRunning(id, (now += 2), undefined, 'k'.repeat(28));
  for (const id of started.slice(0, completed)) {
    table.markCompleted(
      id,
      { outputRef: `dagent-big/0f5e4a1c-5d0e-4c5f-9a4b-3b7a1c2d3e4f/${outputFileOf(id)}`, preview: 'Two issues: a shadowed variable on line 12, and an unchecked result on line 40.', outputBytes: 1234, outputHash: 'a'.repeat(32), usage: { inputTokens: 500, outputTokens: 200, costUsd: 0.0012 }, attempt: 1, truncated: false, model: 'claude-test' },
      (now += 3),
    );
  }
  for (const id of started.slice(completed)) table.markFailed(id, 'the model refused', 3, (now += 1));
  return table;
}

describe('a 10,000-task run continuing as new', () => {
  it('ledgers its completed items and carries them in a few dozen bytes each; restored, the table is the same run', () => {
    const table = bigRun(9_000);
    const ledger = table.unledgered();
    expect(ledger).toHaveLength(9_000);
    // The ledger keeps the full records: what the result and a rerun need of each item.
    expect(ledger[0]).toMatchObject({ id: 'MAP[0]', status: 'Completed', preview: expect.stringContaining('Two issues'), outputHash: 'a'.repeat(32), reuseKey: 'k'.repeat(28) });
    table.markLedgered(ledger.map((r) => r.id));
    expect(table.unledgered()).toEqual([]);

    const snapshot = table.snapshot();
    const bytes = JSON.stringify(snapshot).length;
    // ~6 MB as full records; the items themselves (paths) are ~30 bytes each of this.
    expect(bytes).toBeLessThan(ITEMS * 80);
    expect(snapshot.records.map((r) => r.id)).not.toContain('MAP[0]');

    const restored = TaskTable.restore(table.plan(), JSON.parse(JSON.stringify(snapshot)));
    // Items that were waiting are made anew and ready again at the new run's first step.
    restored.promoteReady(1_900_000_000_000);
    expect(restored.counts()).toEqual(table.counts());
    expect(restored.usage()).toEqual(table.usage());
    expect(restored.size()).toBe(ITEMS + 2);
    expect(computeRunStats(restored.list())).toEqual(computeRunStats(table.list()));
    // What dependents and the gather need of a completed item survives; the rest is in the ledger.
    const { preview: _p, outputHash: _h, reuseKey: _k, readyAt: _r, ...kept } = table.get('MAP[17]')!;
    expect(restored.get('MAP[17]')).toEqual(kept);
    expect(restored.isLedgered('MAP[17]')).toBe(true);
    // The failed items are carried whole, and one can be retried across the hand-over.
    expect(restored.get('MAP[9004]')).toMatchObject({ status: 'Failed', error: 'the model refused', attempts: 3 });
    restored.retry('MAP[9004]');
    restored.promoteReady(0);
    expect(restored.get('MAP[9004]')!.status).toBe('Waiting');
    expect(restored.nextToStart(10)).toContain('MAP[9004]');
  });

  it('puts a big result back together: ledger pages, later pages and the listed records winning, each map followed by its items in order', () => {
    const rec = (id: string, status: TaskRecord['status'], extra: Partial<TaskRecord> = {}): TaskRecord => ({ id, title: id, backend: 'anthropic', status, attempts: 1, dependsOn: [], ...extra });
    const pages = [
      [rec('MAP[1]', 'Completed', { preview: 'one' }), rec('MAP[0]', 'Completed', { preview: 'zero' })],
      [rec('MAP[10]', 'Completed'), rec('MAP[2]', 'Completed', { preview: 'two, again' })],
    ];
    const listed = [rec('A', 'Completed'), rec('MAP', 'Completed'), rec('MAP[3]', 'Failed', { error: 'boom' }), rec('REDUCE', 'Completed')];
    const merged = mergeTaskRecords(listed, pages);
    expect(merged.map((r) => r.id)).toEqual(['A', 'MAP', 'MAP[0]', 'MAP[1]', 'MAP[2]', 'MAP[3]', 'MAP[10]', 'REDUCE']);
    expect(merged.find((r) => r.id === 'MAP[3]')!.error).toBe('boom');
    expect(mergeTaskRecords([rec('MAP', 'Completed')], [[rec('MAP[0]', 'Completed', { preview: 'old' })], [rec('MAP[0]', 'Completed', { preview: 'new' })]])[1]!.preview).toBe('new');
  });

  it('stores big state as pages of at most 120,000 characters, and refuses pages that are not what was written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dagent-pages-'));
    try {
      const store = new LocalResultStore(dir);
      const value = { items: Array.from({ length: 3_000 }, (_, i) => `src/module${i % 40}/file${i}.ts · ${'é'.repeat(60)}`) };
      const ref = await writePagedJson(store, 'run-1/carried', value);
      expect(ref.pages.length).toBe(Math.ceil(JSON.stringify(value).length / 120_000));
      expect(await readPagedJson(store, ref)).toEqual(value);
      // A page changed behind the reference's back (same length): the hash catches it.
      const first = await store.get(ref.pages[0]!);
      await store.put(ref.pages[0]!.replace(/^.*?(run-1)/, '$1'), first.replace('module1/', 'module7/'));
      await expect(readPagedJson(store, ref)).rejects.toThrow(`do not match the reference's hash ${ref.hash}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("shows a big run's progress against all its tasks, not just the ones its view lists", () => {
    const rec = (id: string, status: TaskRecord['status']): TaskRecord => ({ id, title: id, backend: 'anthropic', status, attempts: 1, dependsOn: [] });
    const tasks = [rec('MAP', 'Running'), rec('MAP[17]', 'Running'), rec('REDUCE', 'Pending')];
    const counts = { ...countStatuses([]), Running: 2, Pending: 1, Waiting: 2_000, Completed: 7_997 };
    const lines = renderTable({ workflowId: 'big', phase: 'Running', startedAt: 0, counts, tasks, audit: [], usage: { inputTokens: 0, outputTokens: 0 } }, 1_000);
    expect(lines[0]).toContain('7997/10000 done');
    expect(lines.at(-1)).toBe('… and 9997 map items not listed (not started, or done)');
  });
});
