// Every validation rule and the message a user sees for it. Pure, no server.
import { describe, expect, it } from 'vitest';
import { OrchestrateInputSchema } from '../src/plan/schema';
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

  it('refuses durations a server would refuse or that never end, strings and numbers alike', () => {
    const timeoutOf = (timeout: unknown) => problemsOf({ tasks: [task('T-01', [], { timeout })] }).map((p) => `${p.path}: ${p.message}`);
    for (const bad of ['0s', '0ms', '500ms', '99999h', 0, 0.5, 90_000]) {
      expect(timeoutOf(bad), String(bad)).toEqual(['tasks[0].timeout: must be between 1s and 24h (a number is seconds)']);
    }
    for (const good of ['1s', '90s', '24h', 1, 86_400]) expect(validatePlan({ tasks: [task('T-01', [], { timeout: good })] }).ok, String(good)).toBe(true);
    const options = (o: object) => OrchestrateInputSchema.safeParse({ goal: 'g', options: o });
    expect(options({ taskTimeout: '0ms' }).success).toBe(false);
    expect(options({ heartbeatTimeout: '2h' }).success).toBe(false);
    expect(options({ approvalTimeout: 0 }).success).toBe(false);
    expect(options({ retryInitialInterval: '0ms' }).success).toBe(false);
    expect(options({ taskTimeout: '5m', heartbeatTimeout: '30s', retryInitialInterval: '100ms', approvalTimeout: '48h' }).success).toBe(true);
  });

  it('refuses 10,000 and 30,000 tasks at once by their count, before any other check', () => {
    for (const n of [10_000, 30_000]) {
      const plan = { tasks: Array.from({ length: n }, (_, i) => ({ id: `T${i}`, prompt: 'p', dependsOn: i ? [`T${i - 1}`] : [] })) };
      expect(problemsOf(plan)).toEqual([{ path: 'tasks', message: `${n} tasks; a plan may have at most 500` }]);
    }
  });

  it('checks 500 tasks with many dependencies and templates in one pass', () => {
    const ids = Array.from({ length: 500 }, (_, i) => `T${i}`);
    const tasks = ids.map((id, i) => task(id, ids.slice(Math.max(0, i - 100), i), { prompt: `Use {{tasks.${ids[Math.max(0, i - 1)]}.output}} and more` }));
    tasks[0]!.prompt = 'first';
    expect(validatePlan({ tasks }).ok).toBe(true);
  });

  it('reads a prompt of braces and spaces without backtracking (it used to take minutes)', () => {
    const prompt = `{{${' '.repeat(90_000)}x`;
    expect(validatePlan({ tasks: [task('T-01', [], { prompt })] }).ok).toBe(true);
  });

  it('says "nested too deeply" for deep input instead of overflowing', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(problemsOf({ tasks: [task('T-01', [], { meta: { deep } })] })).toEqual([{ path: '(plan)', message: 'nested too deeply: more than 64 levels of objects and lists' }]);
  });

  it('refuses ids that differ only in case (one file on a case-insensitive disk)', () => {
    expect(problemsOf({ tasks: [task('Build'), task('build')] })).toEqual([
      { taskId: 'build', path: 'tasks[1].id', message: '"build" differs from "Build" only in case; ids must differ in more than case' },
    ]);
  });

  it('checks templates in command, systemPrompt and expectedOutput like prompts', () => {
    const problems = problemsOf({
      tasks: [
        task('A'),
        { id: 'B', title: 'b', backend: 'shell', command: 'wc -c {{tasks.X.output}}', dependsOn: ['A'] },
        { id: 'C', title: 'c', backend: 'shell', command: ['echo', '{{tasks.A.output}}'] },
        task('D', ['A'], { systemPrompt: 'Context: {{nonsense}}', expectedOutput: 'Like {{tasks.A.output}} but {{previous}}' }),
      ],
    }).map((p) => `${p.path}: ${p.message}`);
    expect(problems).toEqual([
      'tasks[1].command: {{tasks.X.output}} names an unknown task "X"',
      'tasks[2].command[1]: {{tasks.A.output}} names "A", which is not a dependency; add it to dependsOn',
      'tasks[3].systemPrompt: unknown template {{nonsense}}; use {{previous}} or {{tasks.<id>.output}}',
    ]);
    // In a command, other braces are the command's own.
    expect(validatePlan({ tasks: [{ id: 'S', title: 's', backend: 'shell', command: "docker ps --format '{{.Names}}'" }] }).ok).toBe(true);
  });

  it('gives env only to shell tasks, with variable names', () => {
    expect(problemsOf({ tasks: [task('A', [], { env: { X: '1' } })] }).map((p) => p.message)).toEqual(['only shell tasks take env (backend is anthropic)']);
    expect(problemsOf({ tasks: [{ id: 'S', title: 's', backend: 'shell', command: 'env', env: { 'BAD NAME': '1' } }] }).map((p) => p.message)).toEqual([
      'must be a variable name: letters, digits and "_"',
    ]);
  });
});
