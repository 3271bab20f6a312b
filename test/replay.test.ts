// Replays recorded histories with the current workflow code: a change that breaks determinism
// fails here, in CI, before it can break runs in flight. Record new ones: npm run record-histories.
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';

const dir = new URL('./histories/', import.meta.url);
const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
const load = async (file: string) => historyFromJSON(JSON.parse(await readFile(new URL(file, dir), 'utf8')));

describe('replay of recorded histories', () => {
  it('has a history for each recorded feature', () => {
    expect(files).toEqual([
      'agent-loop-agent.json',
      'agent-loop.json',
      'budget-stop.json',
      'continue-as-new-ledger-run1.json',
      'continue-as-new-ledger-run2.json',
      'continue-as-new-run1.json',
      'continue-as-new-run2.json',
      'critical-path-first.json',
      'critical-path-memo.json',
      'critical-task-and-plan-options.json',
      'durations-by-tasks.json',
      'fail-fast.json',
      'failure-isolation.json',
      'goal-with-plan-repair.json',
      'goal-with-workspace.json',
      'hold-released.json',
      'hold-then-retry.json',
      'map-expansion.json',
      'plain-diamond.json',
      'plan-approval-with-patch.json',
      'plan-goal.json',
      'rerun-reuse.json',
      'retry-then-success.json',
      'reuse-cache.json',
      'run-cancelled.json',
      'skill-queue.json',
      'sub-plan.json',
      'task-approval-retry-and-cancel.json',
      'wake-on-change.json',
    ]);
  });

  it.each(files)('replays %s with the current workflow code', async (file) => {
    // Under the id it was recorded with: child workflow ids derive from it.
    await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, await load(file), `history-${file.replace(/\.json$/, '')}`);
  });

  it('catches a deliberately non-deterministic change', async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('./support/nonDeterministic/index.ts', import.meta.url)),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
    const error = await Worker.runReplayHistory({ workflowBundle: { code } }, await load('plain-diamond.json'), 'changed').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('DeterminismViolationError');
  });
});
