// The task table alone, without a server: its state machine, its moves, and what its bookkeeping
// costs at 10,000 tasks, counted in operations, not timed.
import { describe, expect, it } from 'vitest';
import { remainingPathLengths } from '../src/plan/criticalPath';
import type { Plan, Task } from '../src/plan/schema';
import { ControlError, TaskTable } from '../src/run/taskTable';
import { canMove, TASK_TRANSITIONS } from '../src/run/taskTransitions';
import { TASK_STATUSES, type TaskOutcome } from '../src/run/types';

const task = (id: string, dependsOn: string[] = [], extra: Partial<Task> = {}): Task => ({ id, title: id, prompt: `do ${id}`, dependsOn, ...extra });
const done = (attempt = 1): TaskOutcome => ({ outputRef: 'ref', preview: '', outputBytes: 0, usage: { inputTokens: 1, outputTokens: 1 }, attempt, truncated: false });
const statuses = (table: TaskTable) => Object.fromEntries(table.list().map((r) => [r.id, r.status]));

describe('the task state machine', () => {
  it('names every status, ends at Completed and Reused, and reopens only what an operator may retry', () => {
    expect(Object.keys(TASK_TRANSITIONS).sort()).toEqual([...TASK_STATUSES].sort());
    expect(TASK_TRANSITIONS.Completed).toEqual([]);
    expect(TASK_TRANSITIONS.Reused).toEqual([]);
    expect(canMove('Running', 'Pending')).toBe(false);
    expect(canMove('Failed', 'Pending')).toBe(true);
  });

  it('refuses a move the machine does not allow, and changes nothing', () => {
    const table = new TaskTable({ tasks: [task('A')] });
    table.promoteReady(0);
    expect(() => table.markCompleted('A', done(), 1)).toThrow('task A is Waiting, expected Running or Retrying');
    expect(statuses(table)).toEqual({ A: 'Waiting' });
    expect(table.counts().Waiting).toBe(1);
  });
});

describe('TaskTable', () => {
  it('promotes, isolates a failure (dependents skipped, naming the root), and a retry reopens them', () => {
    const table = new TaskTable({ tasks: [task('A'), task('B', ['A']), task('C', ['B']), task('D')] });
    table.promoteReady(0);
    expect(statuses(table)).toEqual({ A: 'Waiting', B: 'Pending', C: 'Pending', D: 'Waiting' });
    table.markRunning('A', 1);
    table.markFailed('A', 'boom', 3, 2);
    table.promoteReady(2);
    expect(table.list().map((r) => [r.id, r.status, r.reason])).toEqual([['A', 'Failed', undefined], ['B', 'Skipped', 'dependency A failed'], ['C', 'Skipped', 'dependency A failed'], ['D', 'Waiting', undefined]]);
    expect(table.counts()).toMatchObject({ Failed: 1, Skipped: 2, Waiting: 1 });

    expect(table.retry('A')).toEqual(['A', 'B', 'C']);
    table.promoteReady(3);
    table.markRunning('A', 4);
    // Attempts count on from the earlier start's three.
    expect(table.get('A')!.attempts).toBe(4);
    table.markCompleted('A', done(2), 5);
    expect(table.get('A')!.attempts).toBe(5);
    table.promoteReady(5);
    expect(statuses(table)).toMatchObject({ A: 'Completed', B: 'Waiting', C: 'Pending' });
  });

  it('starts the highest priority first, ties in plan order, without removing anything', () => {
    const table = new TaskTable({ tasks: [task('a'), task('b'), task('c'), task('d')] });
    table.promoteReady(0);
    expect(table.nextToStart(2)).toEqual(['a', 'b']);
    expect(table.nextToStart(2)).toEqual(['a', 'b']);
    expect(table.nextToStart(3, new Map([['c', 5], ['d', 5]]))).toEqual(['c', 'd', 'a']);
    table.markRunning('c', 1);
    expect(table.nextToStart(2)).toEqual(['a']);
  });

  it('refuses operator moves that do not fit, with a ControlError', () => {
    const table = new TaskTable({ tasks: [task('A'), task('B', ['A'], { requiresApproval: true })] });
    table.promoteReady(0);
    expect(() => table.checkApprove('B')).toThrow(new ControlError('cannot approve B: it is Pending'));
    expect(() => table.checkRetry('A')).toThrow(new ControlError('cannot retry A: it is Waiting'));
    table.markRunning('A', 1);
    table.markCompleted('A', done(), 2);
    table.promoteReady(2);
    expect(table.awaitingApproval().map((r) => r.id)).toEqual(['B']);
    table.approve('B');
    expect(table.awaitingApproval()).toEqual([]);
  });
});

describe('at 10,000 tasks', () => {
  /** Ten layers of 1,000: each task depends on two tasks of the layer before. */
  function layered(): Plan {
    const tasks: Task[] = [];
    for (let layer = 0; layer < 10; layer++) {
      for (let i = 0; i < 1000; i++) {
        const before = (j: number) => `L${layer - 1}-${j}`;
        tasks.push(task(`L${layer}-${i}`, layer === 0 ? [] : [before(i), before((i + 7) % 1000)]));
      }
    }
    return { tasks };
  }

  it.each([['plan order', false], ['critical-path first', true]])('a whole run at maxParallel 200 costs operations in proportion to tasks and edges (%s)', (_name, critical) => {
    const plan = layered();
    const edges = plan.tasks.reduce((n, t) => n + (t.dependsOn?.length ?? 0), 0);
    const table = new TaskTable(plan);
    const priority = critical ? remainingPathLengths(plan.tasks, () => 1) : undefined;
    const running: string[] = [];
    let now = 0;
    let steps = 0;
    // One workflow step per finished task, as the workflow has: promote, start what fits, then one task ends.
    while (!table.isFinished()) {
      steps++;
      table.promoteReady(now);
      for (const id of table.nextToStart(200, table.waitingCount() > 0 ? priority : undefined)) {
        table.markRunning(id, now);
        running.push(id);
      }
      table.markCompleted(running.shift()!, done(), ++now);
    }
    table.promoteReady(now);
    expect(table.counts().Completed).toBe(10_000);
    expect(steps).toBe(10_000);
    const { evaluations, queueSteps } = table.operations();
    console.info(`task table: 10,000 tasks, ${edges} edges, ${_name}: ${evaluations} evaluations, ${queueSteps} ready-queue steps`);
    // Each task is looked at once when added and once per dependency that finishes.
    expect(evaluations).toBeLessThanOrEqual(plan.tasks.length + edges);
    // A few heap steps (log of the ready tasks) per task: far from a scan of 10,000 per step.
    expect(queueSteps).toBeLessThan(40 * plan.tasks.length);
  });
});
