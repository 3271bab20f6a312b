// Plan files as people write them: clinvk aliases, chains, defaults, templates, and the
// precedence of CLI flags, plan file and config file. No server.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRunInput, needsAnthropicKey } from '../src/client/buildRunInput';
import { loadConfig } from '../src/client/config';
import { planFileJsonSchemaText } from '../src/plan/planJsonSchema';
import { outputSchemaProblems } from '../src/plan/outputSchemaProblems';
import { describePlan } from '../src/plan/planLayers';
import { unsafeTaskProblems } from '../src/plan/planSafety';
import { PlanFileError, readPlanFile } from '../src/plan/readPlanFile';
import type { Plan } from '../src/plan/schema';
import { formatProblems, validatePlan } from '../src/plan/validatePlan';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dagent-planfiles-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function file(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}
const valid = (plan: unknown): Plan => {
  const result = validatePlan(plan);
  if (!result.ok) throw new Error(formatProblems(result.problems));
  return result.plan;
};
const problemText = (plan: unknown) => {
  const result = validatePlan(plan);
  return result.ok ? '' : formatProblems(result.problems);
};

describe('plan file formats', () => {
  it('maps every clinvk alias onto the canonical fields', () => {
    const plan = valid({
      max_parallel: 2,
      fail_fast: true,
      tasks: [
        { id: 'A', backend: 'claude', prompt: 'p', system_prompt: 's', max_tokens: 100, max_turns: 5, approval_mode: 'auto', sandbox_mode: 'read-only', output_format: 'json' },
        { id: 'B', prompt: 'q', depends_on: ['A'] },
      ],
    });
    expect(plan).toMatchObject({ maxParallel: 2, failFast: true });
    expect(plan.tasks[0]).toEqual({ id: 'A', title: 'p', backend: 'claude', prompt: 'p', systemPrompt: 's', maxTokens: 100, maxTurns: 5, approvalMode: 'auto', sandboxMode: 'read-only' });
    expect(plan.tasks[1]!.dependsOn).toEqual(['A']);
  });

  it('runs a clinvk tasks file unchanged: ids T-01.. in file order, titles from prompts, all independent', async () => {
    const plan = await readPlanFile('examples/clinvk-tasks.json');
    expect(plan.tasks.map((t) => [t.id, t.backend, t.title, t.dependsOn])).toEqual([
      ['T-01', 'claude', 'Review the auth module for security issues', undefined],
      ['T-02', 'gemini', 'Review the auth module for performance issues', undefined],
      ['T-03', 'codex', 'Review the auth module for readability', undefined],
    ]);
    expect(plan).toMatchObject({ maxParallel: 3, failFast: false });
  });

  it('accepts a chain file: each step depends on the one before, {{previous}} allowed', () => {
    const plan = valid({ steps: [{ name: 'analyze', prompt: 'Analyse.' }, { name: 'tests', prompt: 'Write tests for: {{previous}}' }, { prompt: 'Review {{previous}}' }] });
    expect(plan.tasks.map((t) => [t.id, t.title, t.dependsOn])).toEqual([
      ['T-01', 'analyze', []],
      ['T-02', 'tests', ['T-01']],
      ['T-03', 'Review {{previous}}', ['T-02']],
    ]);
  });

  it('applies defaults to every task; a task\'s own field wins', () => {
    const plan = valid({ defaults: { backend: 'claude', model: 'm1', maxTurns: 3 }, tasks: [{ prompt: 'a' }, { prompt: 'b', model: 'm2' }] });
    expect(plan.tasks.map((t) => [t.backend, t.model, t.maxTurns])).toEqual([['claude', 'm1', 3], ['claude', 'm2', 3]]);
  });

  it('rejects an alias given together with its canonical name', () => {
    expect(problemText({ tasks: [{ prompt: 'a', max_tokens: 1, maxTokens: 2 }] })).toContain('tasks[0].max_tokens: both "max_tokens" and "maxTokens" are given; keep one');
  });

  it('checks shell tasks and commands', () => {
    expect(problemText({ tasks: [{ id: 'S', backend: 'shell' }] })).toContain('tasks[0].command (S): a shell task needs a command');
    expect(problemText({ tasks: [{ id: 'C', prompt: 'p', command: 'ls' }] })).toContain('tasks[0].command (C): only shell tasks take a command (backend is anthropic)');
    expect(valid({ tasks: [{ id: 'S', backend: 'shell', command: ['ls', '-l'] }] }).tasks[0]!.title).toBe('ls -l');
  });

  it('rejects an outputSchema that is not a JSON Schema', () => {
    expect(formatProblems(outputSchemaProblems(valid({ tasks: [{ id: 'J', prompt: 'p', outputSchema: { type: 'nonsense' } }] })))).toMatch(/tasks\[0\]\.outputSchema \(J\): not a valid JSON Schema: /);
  });
});

describe('templates', () => {
  const plan = (prompt: string, dependsOn: string[]) => ({ tasks: [{ id: 'A', prompt: 'a' }, { id: 'B', prompt: 'b' }, { id: 'C', prompt, dependsOn }] });

  it('accepts references to dependencies and {{previous}} with one dependency', () => {
    expect(problemText(plan('x {{tasks.A.output}} y {{ tasks.B.output }}', ['A', 'B']))).toBe('');
    expect(problemText(plan('x {{previous}}', ['A']))).toBe('');
  });

  it('rejects unknown tasks, non-dependencies, a {{previous}} without exactly one dependency, and unknown templates', () => {
    expect(problemText(plan('{{tasks.Z.output}}', ['A']))).toContain('tasks[2].prompt (C): {{tasks.Z.output}} names an unknown task "Z"');
    expect(problemText(plan('{{tasks.B.output}}', ['A']))).toContain('{{tasks.B.output}} names "B", which is not a dependency; add it to dependsOn');
    expect(problemText(plan('{{previous}}', ['A', 'B']))).toContain('{{previous}} needs exactly one dependency; this task has 2');
    expect(problemText(plan('{{tasks.A.result}}', ['A']))).toContain('unknown template {{tasks.A.result}}');
  });
});

describe('reading files', () => {
  it('reads YAML and JSON and lists every problem with file, task and field', async () => {
    const path = await file('bad.yaml', 'tasks:\n  - id: A\n    prompt: a\n    dependsOn: [B]\n  - id: B\n    prompt: ""\n    dependsOn: [A]\n');
    const error = (await readPlanFile(path).catch((e: unknown) => e)) as PlanFileError;
    expect(error).toBeInstanceOf(PlanFileError);
    expect(error.message).toContain(`${path}: tasks[1].prompt (task B): must not be empty`);
    expect(error.message).toContain(`${path}: tasks (task A): cycle: A → B → A`);
  });

  it('refuses duplicate keys in JSON as in YAML (the last "tasks" used to win silently)', async () => {
    const twice = await file('twice.json', '{"tasks":[{"id":"A","prompt":"a"}],"tasks":[{"id":"B","prompt":"b"}]}');
    await expect(readPlanFile(twice)).rejects.toThrow(/cannot parse: Map keys must be unique/);
    await expect(readPlanFile(await file('broken.json', '{"tasks": [ {"id": "A", "prompt": "a" } ,]}'))).rejects.toThrow(/cannot parse/);
  });

  it('says "nested too deeply" for deep JSON and YAML, without a stack overflow or a crash', async () => {
    const message = /nested too deeply: more than 64 levels of objects and lists/;
    await expect(readPlanFile(await file('deep.json', `{"tasks":${'['.repeat(100_000)}${']'.repeat(100_000)}}`))).rejects.toThrow(message);
    const block = Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n');
    await expect(readPlanFile(await file('deep.yaml', `${block}\n${' '.repeat(3000)}b: 1\n`))).rejects.toThrow(message);
    await expect(readPlanFile(await file('deep70.json', `{"tasks":[{"id":"A","prompt":"a","meta":${'{"x":'.repeat(70)}1${'}'.repeat(70)}}]}`))).rejects.toThrow(message);
  });

  it('refuses an outputSchema pattern the linear-time engine cannot run (look-arounds)', async () => {
    const path = await file('lookahead.json', JSON.stringify({ tasks: [{ id: 'L', prompt: 'p', outputSchema: { type: 'string', pattern: '^(?=a)a+$' } }] }));
    await expect(readPlanFile(path)).rejects.toThrow(/tasks\[0\]\.outputSchema \(task L\): not a valid JSON Schema: .*(?:=|unsupported)/);
  });

  it('refuses YAML alias bombs, non-UTF-8 text, oversized files and prototype keys', async () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`), 'tasks: *i'].join('\n');
    await expect(readPlanFile(await file('bomb.yaml', bomb))).rejects.toThrow(/cannot parse: .*alias/i);
    await writeFile(join(dir, 'latin1.json'), Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d]));
    await expect(readPlanFile(join(dir, 'latin1.json'))).rejects.toThrow('not valid UTF-8 text');
    await writeFile(join(dir, 'huge.json'), Buffer.alloc(11 * 1024 * 1024, 32));
    await expect(readPlanFile(join(dir, 'huge.json'))).rejects.toThrow(/file is 11534336 bytes; the limit is 10485760/);
    const proto = await file('proto.json', '{"tasks":[{"id":"A","prompt":"a","__proto__":{"polluted":true}}]}');
    await expect(readPlanFile(proto)).rejects.toThrow('tasks[0].__proto__: this key is not allowed');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('describes the layers and the critical path by estimate', async () => {
    const text = describePlan(await readPlanFile('examples/code-review.yaml'));
    expect(text).toContain('5 tasks in 3 layers');
    expect(text).toContain('layer 2: T-02 (claude), T-03 (claude), T-04 (claude)');
    expect(text).toContain('critical path by estimate: T-01 → T-03 → T-05 (8 min)');
  });
});

describe('precedence: CLI flag > plan file > config file > default', () => {
  it('takes each setting from the strongest source that gives it', async () => {
    const plan = await file('p.yaml', 'maxParallel: 2\ntasks:\n  - id: A\n    prompt: a\n  - id: B\n    prompt: b\n    model: own-model\n');
    const config = { maxParallel: 1, failFast: true, model: 'config-model' };
    const env = {};
    expect((await buildRunInput(undefined, { file: plan }, {}, env)).options).toEqual({ maxParallel: 2 });
    const fromConfig = await buildRunInput(undefined, { file: plan }, config, env);
    expect(fromConfig.options).toEqual({ maxParallel: 2, failFast: true });
    expect((fromConfig.plan as Plan).tasks.map((t) => t.model)).toEqual(['config-model', 'own-model']);
    const fromFlags = await buildRunInput(undefined, { file: plan, maxParallel: 3, failFast: false, model: 'flag-model' }, config, env);
    expect(fromFlags.options).toEqual({ maxParallel: 3, failFast: false, model: 'flag-model' });
    expect((fromFlags.plan as Plan).tasks.map((t) => t.model)).toEqual(['flag-model', 'own-model']);
    expect((await buildRunInput('a goal', {}, config, env)).options).toEqual({ maxParallel: 1, failFast: true, model: 'config-model' });
  });

  it('takes the start order the same way, and the plan file keeps its own (snake_case too)', async () => {
    const env = {};
    const byPlan = await file('order.yaml', 'start_order: plan\ntasks:\n  - id: A\n    prompt: a\n');
    const bare = await file('bare.yaml', 'tasks:\n  - id: A\n    prompt: a\n');
    expect((await buildRunInput(undefined, { file: bare }, { startOrder: 'plan' }, env)).options).toEqual({ startOrder: 'plan' });
    expect((await buildRunInput(undefined, { file: byPlan }, { startOrder: 'critical-path' }, env)).options).toEqual({ startOrder: 'plan' });
    expect((await buildRunInput(undefined, { file: byPlan, startOrder: 'critical-path' }, {}, env)).options).toEqual({ startOrder: 'critical-path' });
    expect((await buildRunInput('a goal', {}, { startOrder: 'plan' }, env)).options).toEqual({ startOrder: 'plan' });
  });

  it('reads dagent.config.yaml (aliases too) and rejects a bad one with file and field', async () => {
    const good = await file('dagent.config.yaml', 'max_parallel: 6\nmodel: m\n');
    expect(await loadConfig([join(dir, 'missing.yaml'), good])).toEqual({ config: { maxParallel: 6, model: 'm' }, file: good });
    const bad = await file('bad.config.yaml', 'maxParallel: lots\n');
    await expect(loadConfig([bad])).rejects.toThrow(`${bad}: maxParallel: Invalid input: expected number, received string`);
  });

  it('knows which runs need an Anthropic key', async () => {
    expect(needsAnthropicKey({ goal: 'g' })).toBe(true);
    expect(needsAnthropicKey({ plan: await readPlanFile('examples/repo-health.yaml') })).toBe(false);
    expect(needsAnthropicKey({ plan: await readPlanFile('examples/api-checks.yaml') })).toBe(true);
  });
});

describe('MCP servers in LLM-made plans', () => {
  it('are refused: only a person\'s plan or config names a program for the worker to start', () => {
    const plan = valid({ mcpServers: { evil: { command: 'sh', args: ['-c', 'touch /tmp/x'] } }, tasks: [{ id: 'A', prompt: 'p' }] });
    expect(unsafeTaskProblems(plan, { allowShell: true, allowWrites: true }).map((p) => p.path)).toEqual(['mcpServers']);
  });
});

describe('workdirs in LLM-made plans', () => {
  it('may only narrow a task to a folder inside the run\'s workspace', () => {
    const plan = valid({ tasks: [{ id: 'IN', prompt: 'p', workdir: 'src/api' }, { id: 'UP', prompt: 'p', workdir: '../other' }, { id: 'ABS', prompt: 'p', workdir: '/etc' }] });
    expect(unsafeTaskProblems(plan, { allowShell: false, allowWrites: false }).map((p) => p.taskId)).toEqual(['UP', 'ABS']);
  });
});

describe('safety of LLM-made plans', () => {
  it('refuses shell tasks and writing CLI tasks unless allowed', () => {
    const plan = valid({ tasks: [{ id: 'S', backend: 'shell', command: 'rm -rf /' }, { id: 'W', backend: 'codex', prompt: 'p', sandboxMode: 'full' }, { id: 'R', backend: 'claude', prompt: 'p', sandboxMode: 'read-only' }] });
    expect(unsafeTaskProblems(plan, { allowShell: false, allowWrites: false }).map((p) => p.taskId)).toEqual(['S', 'W']);
    expect(unsafeTaskProblems(plan, { allowShell: true, allowWrites: true })).toEqual([]);
  });
});

describe('schema/plan.schema.json', () => {
  it('is the JSON Schema generated from the zod schema', async () => {
    expect(await readFile('schema/plan.schema.json', 'utf8')).toBe(planFileJsonSchemaText());
  });
});
