// Critical-path-first: when ready tasks outnumber free slots, the one with the longest chain
// still behind it starts first. The pure parts without a server, then a live run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remainingPathLengths } from '../src/plan/criticalPath';
import { predictSchedule } from '../src/plan/predictSchedule';
import { taskPriorityKey } from '../src/plan/taskPriority';
import { TaskTable } from '../src/run/taskTable';
import type { Plan } from '../src/plan/schema';
import { durationKeyBackend, medianOf, taskDurationKey } from '../src/plan/taskDurationKey';
import { defaultHandler, sleep } from './support/fakeAnthropic';
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

describe('predictSchedule', () => {
  it('plays the scheduler out: the long chain first ends a slot-short run sooner than plan order', () => {
    const cp = predictSchedule(plan.tasks, () => 1, 2, 'critical-path');
    const byPlan = predictSchedule(plan.tasks, () => 1, 2, 'plan');
    expect(cp).toMatchObject({ makespan: 4, criticalPath: 4, workPerSlot: 3, starts: ['c1', 'short', 'c2', 'other', 'c3', 'c4'] });
    expect(byPlan).toMatchObject({ makespan: 5, starts: ['short', 'other', 'c1', 'c2', 'c3', 'c4'] });
  });

  it('weighs tasks by their duration and never beats the two lower bounds', () => {
    const tasks = [task('a', [], 10), task('b', [], 1), task('c', ['b'], 2), task('d', ['c'], 3)];
    const p = predictSchedule(tasks, (t) => t.estimatedMinutes ?? 1, 2);
    expect(p.makespan).toBe(10);
    expect(p.makespan).toBeGreaterThanOrEqual(Math.max(p.criticalPath, p.workPerSlot));
    expect(predictSchedule(tasks, (t) => t.estimatedMinutes ?? 1, 1).makespan).toBe(16);
  });
});

describe('taskPriorityKey', () => {
  it('raises the longest chains above Temporal\'s default key of 3, never below it', () => {
    expect([4, 3, 2, 1].map((r) => taskPriorityKey(r, 4))).toEqual([1, 1, 2, 3]);
    expect(taskPriorityKey(0, 0)).toBe(3);
  });
});

describe('task durations from earlier runs', () => {
  it('knows a task again by its backend, model and work, not by its id', () => {
    const a = { id: 'A', title: 'a', prompt: 'Summarise the log.' };
    expect(taskDurationKey(a)).toBe(taskDurationKey({ ...a, id: 'B', title: 'b' }));
    expect(taskDurationKey(a)).not.toBe(taskDurationKey({ ...a, prompt: 'Summarise the logs.' }));
    expect(taskDurationKey(a)).not.toBe(taskDurationKey({ ...a, model: 'claude-other' }));
    expect(taskDurationKey(a)).not.toBe(taskDurationKey({ ...a, backend: 'claude' }));
    expect(taskDurationKey(a, 'claude-x')).not.toBe(taskDurationKey(a, 'claude-y'));
    expect(durationKeyBackend(taskDurationKey({ ...a, backend: 'shell' }))).toBe('shell');
    expect([medianOf([]), medianOf([5]), medianOf([9, 1, 5]), medianOf([4, 1, 3, 2])]).toEqual([undefined, 5, 5, 2.5]);
  });
});

describe('a live run with one slot', () => {
  let env: TestEnv;
  beforeAll(async () => {
    // "Work for N ms." makes a task take that long.
    env = await startTestEnv(async (req) => {
      const work = /Work for (\d+) ms\./.exec(req.prompt);
      if (req.kind === 'task' && work) await sleep(Number(work[1]));
      return defaultHandler(req);
    });
  });
  afterAll(async () => {
    await env?.close();
  });

  it('runs the long chain first, so it ends after fewer start-to-start waits', async () => {
    const result = await env.run({ plan, options: { maxParallel: 1, aggregate: 'none' } });
    expect(result.status).toBe('Completed');
    const byStart = [...result.tasks].sort((a, b) => a.startedAt! - b.startedAt!).map((t) => t.id);
    expect(byStart[0]).toBe('c1');
    // What `--dry-run` predicts is what the run did.
    expect(byStart).toEqual(predictSchedule(plan.tasks, () => 1, 1, 'critical-path').starts);
    // Each task's activity carries its priority key to Temporal's matching service.
    const history = await env.client.workflow.getHandle(result.workflowId).fetchHistory();
    const keys = Object.fromEntries(
      (history.events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes?.activityId?.startsWith('task:') ? [[e.activityTaskScheduledEventAttributes.activityId!, e.activityTaskScheduledEventAttributes.priority?.priorityKey]] : [])),
    );
    expect(keys).toEqual({ 'task:c1': 1, 'task:c2': 1, 'task:c3': 2, 'task:c4': 3, 'task:short': 3, 'task:other': 3 });
  });

  it('weighs tasks without estimates by how long they took in earlier runs', async () => {
    const work = (id: string, ms: number) => ({ id, title: id, prompt: `Work for ${ms} ms.` });
    const tasks = [work('quick-1', 10), work('quick-2', 10), work('quick-3', 10), work('slow', 700)];
    // Nothing known yet: equal weights, plan order.
    const first = await env.run({ plan: { tasks }, options: { maxParallel: 1, aggregate: 'none' } });
    expect([...first.tasks].sort((a, b) => a.startedAt! - b.startedAt!).map((t) => t.id)).toEqual(['quick-1', 'quick-2', 'quick-3', 'slow']);
    // The same work under other ids: the slow one is known now and starts first.
    const again = tasks.map((t) => ({ ...t, id: `again-${t.id}` }));
    const second = await env.run({ plan: { tasks: again }, options: { maxParallel: 1, aggregate: 'none' } });
    expect([...second.tasks].sort((a, b) => a.startedAt! - b.startedAt!).map((t) => t.id)[0]).toBe('again-slow');
  });

  it('keeps plan order when the run asks for it (startOrder: plan)', async () => {
    const result = await env.run({ plan, options: { maxParallel: 1, aggregate: 'none', startOrder: 'plan' } });
    expect(result.status).toBe('Completed');
    const byStart = [...result.tasks].sort((a, b) => a.startedAt! - b.startedAt!).map((t) => t.id);
    expect(byStart).toEqual(['short', 'other', 'c1', 'c2', 'c3', 'c4']);
  });
});
