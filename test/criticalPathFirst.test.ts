// Critical-path-first: when ready tasks outnumber free slots, the one with the longest chain
// still behind it starts first. The pure parts without a server, then a live run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remainingPathLengths } from '../src/plan/criticalPath';
import { TaskTable } from '../src/run/taskTable';
import type { Plan } from '../src/plan/schema';
import { startTestEnv, type TestEnv } from './support/testEnv';

const task = (id: string, dependsOn: string[] = [], estimatedMinutes?: number) => ({ id, title: id, prompt: id, dependsOn, ...(estimatedMinutes ? { estimatedMinutes } : {}) });

// A short task listed first, and a long chain listed last: plan order starts the wrong one.
const plan: Plan = { tasks: [task('short'), task('other'), task('c1'), task('c2', ['c1']), task('c3', ['c2']), task('c4', ['c3'])] };

describe('remainingPathLengths', () => {
  it('weighs the chain behind each task, itself included', () => {
    const lengths = remainingPathLengths(plan.tasks, () => 1);
    expect(Object.fromEntries(lengths)).toEqual({ short: 1, other: 1, c1: 4, c2: 3, c3: 2, c4: 1 });
  });

  it('uses estimatedMinutes as the weight', () => {
    const lengths = remainingPathLengths([task('a', [], 10), task('b', [], 1), task('c', ['b'], 2)], (t) => t.estimatedMinutes ?? 1);
    expect(Object.fromEntries(lengths)).toEqual({ a: 10, b: 3, c: 2 });
  });

  it('walks a chain of 10,000 tasks without overflowing the stack', () => {
    const chain = Array.from({ length: 10_000 }, (_, i) => task(`t${i}`, i === 0 ? [] : [`t${i - 1}`]));
    expect(remainingPathLengths(chain, () => 1).get('t0')).toBe(10_000);
  });
});

describe('TaskTable.nextToStart', () => {
  it('starts the longest remaining chain first, ties in plan order', () => {
    const table = new TaskTable(plan);
    table.promoteReady(0);
    expect(table.nextToStart(1)).toEqual(['short']);
    expect(table.nextToStart(1, remainingPathLengths(plan.tasks, () => 1))).toEqual(['c1']);
    expect(table.nextToStart(3, remainingPathLengths(plan.tasks, () => 1))).toEqual(['c1', 'short', 'other']);
  });
});

describe('a live run with one slot', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startTestEnv();
  });
  afterAll(async () => {
    await env?.close();
  });

  it('runs the long chain first, so it ends after fewer start-to-start waits', async () => {
    const result = await env.run({ plan, options: { maxParallel: 1, aggregate: 'none' } });
    expect(result.status).toBe('Completed');
    const byStart = [...result.tasks].sort((a, b) => a.startedAt! - b.startedAt!).map((t) => t.id);
    expect(byStart[0]).toBe('c1');
  });
});
