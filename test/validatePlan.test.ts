// Every validation rule and the message a user sees for it. Pure, no server.
import { describe, expect, it } from 'vitest';
import { findCycles, formatProblems, validatePlan } from '../src/plan/validatePlan';

const task = (id: string, dependsOn: string[] = [], extra: object = {}) => ({ id, title: `Task ${id}`, prompt: `Do ${id}`, dependsOn, ...extra });
const problemsOf = (plan: unknown) => {
  const result = validatePlan(plan);
  if (result.ok) throw new Error('expected the plan to be invalid');
  return result.problems;
};

describe('validatePlan', () => {
  it('accepts a valid diamond and keeps it as given', () => {
    const plan = { goal: 'g', tasks: [task('T-01'), task('T-02', ['T-01']), task('T-03', ['T-01']), task('T-04', ['T-02', 'T-03'])] };
    expect(validatePlan(plan)).toEqual({ ok: true, plan });
  });

  it('names the cycle in dependency order', () => {
    const problems = problemsOf({ tasks: [task('T-01', ['T-03']), task('T-02', ['T-01']), task('T-03', ['T-02'])] });
    expect(problems.map((p) => p.message)).toEqual(['cycle: T-01 → T-03 → T-02 → T-01']);
  });

  it('reports each separate cycle', () => {
    const problems = problemsOf({ tasks: [task('A', ['B']), task('B', ['A']), task('C', ['D']), task('D', ['C']), task('E')] });
    expect(problems.map((p) => p.message).sort()).toEqual(['cycle: A → B → A', 'cycle: C → D → C']);
  });

  it('rejects a self-dependency, naming the task and field', () => {
    expect(problemsOf({ tasks: [task('T-01', ['T-01'])] })).toEqual([
      { taskId: 'T-01', path: 'tasks[0].dependsOn[0]', message: 'a task cannot depend on itself' },
    ]);
  });

  it('rejects an unknown dependency', () => {
    expect(problemsOf({ tasks: [task('T-01'), task('T-02', ['T-09'])] })).toEqual([
      { taskId: 'T-02', path: 'tasks[1].dependsOn[0]', message: 'unknown task "T-09"' },
    ]);
  });

  it('rejects duplicate ids', () => {
    expect(problemsOf({ tasks: [task('T-01'), task('T-01')] })).toEqual([
      { taskId: 'T-01', path: 'tasks[1].id', message: 'duplicate id "T-01" (first used by tasks[0])' },
    ]);
  });

  it('rejects an empty plan and one over 500 tasks', () => {
    expect(problemsOf({ tasks: [] })[0]!.message).toBe('a plan needs at least one task');
    const big = { tasks: Array.from({ length: 501 }, (_, i) => task(`T-${i}`)) };
    expect(problemsOf(big).map((p) => `${p.path}: ${p.message}`)).toEqual(['tasks: 501 tasks; a plan may have at most 500']);
  });

  it('rejects empty prompts, bad titles, bad ids, wrong types and unknown fields', () => {
    const problems = problemsOf({
      tasks: [
        { id: 'T-01', title: 'ok', prompt: '   ' },
        { id: '../etc', title: 'ok', prompt: 'p' },
        { id: 'T-03', title: 42, prompt: 'p' },
        { id: 'T-04', title: 'ok', prompt: 'p', maxTokens: 'many' },
        { id: 'T-05', title: 'ok', prompt: 'p', dependson: ['T-01'] },
      ],
    });
    const text = formatProblems(problems);
    expect(text).toContain('- tasks[0].prompt (T-01): must not be empty');
    expect(text).toContain('- tasks[1].id (../etc): must be 1-64 letters');
    expect(text).toContain('- tasks[2].title (T-03): Invalid input: expected string, received number');
    expect(text).toContain('- tasks[3].maxTokens (T-04): Invalid input: expected number, received string');
    expect(text).toContain('- tasks[4] (T-05): Unrecognized key: "dependson"');
  });

  it('reports shape and graph problems together, not just the first', () => {
    const problems = problemsOf({ tasks: [task('T-01', ['T-02']), task('T-02', ['T-01']), { id: 'T-03', title: 'x', prompt: '' }] });
    expect(problems.map((p) => p.message)).toEqual(expect.arrayContaining(['must not be empty', 'cycle: T-01 → T-02 → T-01']));
  });

  it('rejects a plan over the size limit', () => {
    const huge = { tasks: [task('T-01', [], { prompt: 'x'.repeat(1_100_000) })] };
    expect(problemsOf(huge)[0]!.message).toMatch(/^plan is \d+ bytes; the limit is 1000000$/);
  });

  it('finds cycles in a long chain without exhausting the stack', () => {
    const edges = new Map<string, string[]>();
    for (let i = 0; i < 50_000; i++) edges.set(`N${i}`, [`N${(i + 1) % 50_000}`]);
    const [cycle] = findCycles(edges);
    expect(cycle).toHaveLength(50_001);
  });
});
