// The CLI as scripts use it: plan files, validation, dry runs, quiet and JSON output, the
// report file, and every documented exit code.
import { Client, Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunResult } from '../src/run/types';
import { defaultHandler, startFakeAnthropic, type FakeAnthropic, type Handler } from './support/fakeAnthropic';
import { cleanEnv, spawnDagent, waitForOutput } from './support/processes';
import { TEST_API_KEY } from './support/testEnv';

let llm: FakeAnthropic;
let dir: string;
let handler: Handler = defaultHandler;

beforeAll(async () => {
  llm = await startFakeAnthropic((req) => handler(req));
  dir = await mkdtemp(join(tmpdir(), 'dagent-scripts-'));
});
afterAll(async () => {
  await llm?.close();
  await rm(dir, { recursive: true, force: true });
});

const env = (extra: NodeJS.ProcessEnv = {}) =>
  cleanEnv({ ANTHROPIC_API_KEY: TEST_API_KEY, ANTHROPIC_BASE_URL: llm.url, DAGENT_RESULTS_DIR: join(dir, 'results'), TEMPORAL_ADDRESS: inject('temporalAddress'), ...extra });
const queue = () => ['--task-queue', `scripts-${randomUUID()}`];
async function planFile(name: string, yaml: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, yaml);
  return path;
}
const shellPlan = 'goal: Shell only\ntasks:\n  - id: one\n    backend: shell\n    command: echo one\n  - id: two\n    backend: shell\n    command: echo two\n    dependsOn: [one]\n';

describe('dagent validate and --dry-run', () => {
  it('validate prints the layers of a valid plan and exits 0', async () => {
    const run = spawnDagent(['validate', 'examples/code-review.yaml'], env());
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toContain('examples/code-review.yaml: valid\n5 tasks in 3 layers');
  });

  it('validate lists every problem with file, task and field, and exits 2', async () => {
    const path = await planFile('invalid.yaml', 'tasks:\n  - id: A\n    prompt: "{{tasks.B.output}}"\n  - id: B\n    prompt: ""\n    backend: robot\n');
    const run = spawnDagent(['validate', path], env());
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain(`${path}: tasks[1].prompt (task B): must not be empty`);
    expect(run.stderr()).toContain(`${path}: tasks[1].backend (task B): Invalid option: expected one of "anthropic"|"claude"|"codex"|"gemini"|"shell"`);
    expect(run.stderr()).toContain(`${path}: tasks[0].prompt (task A): {{tasks.B.output}} names "B", which is not a dependency; add it to dependsOn`);
  });

  it('run --dry-run validates and describes without contacting Temporal', async () => {
    const run = spawnDagent(['run', '--file', 'examples/api-checks.yaml', '--dry-run'], env({ TEMPORAL_ADDRESS: '127.0.0.1:1' }));
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toContain('layer 2: report (anthropic)');
    expect(run.stdout()).toContain('Dry run: nothing was started.');
  });

  it('run --dry-run predicts the makespan and start order for the run\'s maxParallel and start order', async () => {
    const predict = async (...flags: string[]) => {
      const run = spawnDagent(['run', '--file', 'examples/code-review.yaml', '--dry-run', ...flags], env({ TEMPORAL_ADDRESS: '127.0.0.1:1' }));
      expect(await run.exited).toBe(0);
      return run.stdout();
    };
    // code-review: T-01 (2 min) → T-02/T-03/T-04 → T-05, the longest chain through T-03 (8 min).
    const wide = await predict();
    expect(wide).toContain('predicted makespan with maxParallel 4 (longest remaining chain first): 8m00s (critical path 8m00s, work ÷ slots 4m00s)');
    expect(wide).toContain('start order: T-01, T-03, T-02, T-04, T-05');
    const narrow = await predict('--max-parallel', '1', '--start-order', 'plan');
    expect(narrow).toContain('predicted makespan with maxParallel 1 (plan order): 16m00s');
    expect(narrow).toContain('start order: T-01, T-02, T-03, T-04, T-05');
  });
});

describe('dagent run --dry-run after earlier runs', () => {
  it('weighs tasks without estimates by how long the same work took before, as the run will', async () => {
    const plan = await planFile(
      'timed.yaml',
      'tasks:\n' + ['quick-1', 'quick-2', 'slow'].map((id) => `  - id: ${id}\n    backend: shell\n    command: "${id === 'slow' ? 'sleep 1.5' : 'true'}"\n`).join(''),
    );
    const dryRun = async () => {
      const run = spawnDagent(['run', '--file', plan, '--dry-run', '--max-parallel', '1'], env({ TEMPORAL_ADDRESS: '127.0.0.1:1' }));
      expect(await run.exited).toBe(0);
      return run.stdout();
    };
    // Nothing known yet: equal weights, plan order.
    const before = await dryRun();
    expect(before).toContain('start order: quick-1, quick-2, slow');
    expect(before).toContain('(critical path 1, work ÷ slots 3); give tasks estimatedMinutes for times');
    const run = spawnDagent(['run', '--file', plan, '--quiet', ...queue()], env({ ANTHROPIC_API_KEY: '' }));
    expect(await run.exited).toBe(0);
    // The run left its tasks' durations in the store: the slow one now starts first, and the
    // prediction is in time (the 1.5 s sleep and two quick processes, one slot).
    const after = await dryRun();
    expect(after).toContain('start order: slow, quick-1, quick-2');
    const seconds = Number(/predicted makespan with maxParallel 1 \(longest remaining chain first\): (\d+\.\d)s .*; 3 task\(s\) weighed by earlier runs/.exec(after)?.[1]);
    expect(seconds).toBeGreaterThanOrEqual(1.5);
    expect(seconds).toBeLessThan(10);
  });
});

describe('dagent run --file', () => {
  it('--quiet prints only the summary line; a plan with no LLM task needs no key', async () => {
    const run = spawnDagent(['run', '--file', await planFile('shell.yaml', shellPlan), '--quiet', ...queue()], env({ ANTHROPIC_API_KEY: '' }));
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toMatch(/^Total: 2 tasks, 2 completed, 0 failed, 0 skipped, 0 cancelled \(\d+\.\ds, speedup \d+\.\dx\)\n$/);
  });

  it('reads the plan from standard input with --file -, and writes the report with --report', async () => {
    const report = join(dir, 'report.md');
    const run = spawnDagent(['run', '--file', '-', '--report', report, ...queue()], env({ ANTHROPIC_API_KEY: '' }), undefined, shellPlan);
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toMatch(/^two +shell +Completed +1 +\S+ +echo two$/m);
    expect(run.stdout()).not.toContain('# dagent report');
    const text = await readFile(report, 'utf8');
    expect(text).toContain('_Written without the LLM: no ANTHROPIC_API_KEY on the worker._');
    expect(text).toContain('### two · echo two\ntwo');
  });

  it('--no-aggregate skips the aggregate step', async () => {
    const before = llm.requests.length;
    const run = spawnDagent(['run', '--file', await planFile('llm.yaml', 'tasks:\n  - id: only\n    prompt: hello\n'), '--no-aggregate', '--json', ...queue()], env());
    expect(await run.exited).toBe(0);
    const result = JSON.parse(run.stdout()) as RunResult;
    expect(result.report).toBe('');
    expect(llm.requests.slice(before).map((r) => r.kind)).toEqual(['task']);
  });

  it('passes tags and meta through to the result', async () => {
    const path = await planFile('tags.yaml', 'tasks:\n  - id: t\n    backend: shell\n    command: "true"\n    tags: [ci, fast]\n    meta: { owner: qa }\n');
    const run = spawnDagent(['run', '--file', path, '--json', ...queue()], env());
    expect(await run.exited).toBe(0);
    expect((JSON.parse(run.stdout()) as RunResult).tasks[0]).toMatchObject({ tags: ['ci', 'fast'], meta: { owner: 'qa' } });
  });
});

describe('exit codes', () => {
  it('2 for an invalid plan file, and no workflow is started', async () => {
    const run = spawnDagent(['run', '--file', await planFile('cycle.yaml', 'tasks:\n  - {id: A, prompt: a, dependsOn: [B]}\n  - {id: B, prompt: b, dependsOn: [A]}\n')], env({ TEMPORAL_ADDRESS: '127.0.0.1:1' }));
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain('cycle: A → B → A');
  });

  it('4 when Temporal cannot be reached', async () => {
    const run = spawnDagent(['run', '--file', await planFile('ok.yaml', shellPlan)], env({ TEMPORAL_ADDRESS: '127.0.0.1:1' }));
    expect(await run.exited).toBe(4);
    expect(run.stderr()).toContain('cannot reach Temporal at 127.0.0.1:1');
  });

  it('1 when a task fails, 3 when the run is cancelled', async () => {
    const failing = spawnDagent(['run', '--file', await planFile('fail.yaml', 'tasks:\n  - {id: F, backend: shell, command: "exit 1"}\n'), '--quiet', ...queue()], env());
    expect(await failing.exited).toBe(1);
    expect(failing.stdout()).toContain('Total: 1 tasks, 0 completed, 1 failed, 0 skipped');

    const workflowId = `cancel-${randomUUID()}`;
    const slow = spawnDagent(['run', '--file', await planFile('slow.yaml', 'tasks:\n  - {id: S, backend: shell, command: "sleep 30"}\n'), '--workflow-id', workflowId, ...queue()], env());
    await waitForOutput(slow, 'S Running');
    const client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
    await client.workflow.getHandle(workflowId).cancel();
    await client.connection.close();
    expect(await slow.exited).toBe(3);
    // The cancelled run still ends with its results and a report.
    expect(slow.stdout()).toMatch(/^S +shell +Cancelled +1 +\S+ +sleep 30$/m);
    expect(slow.stdout()).toContain('**S · sleep 30** cancelled: run cancelled');
  });
});

describe('plans made by the LLM', () => {
  const shellTask = { tasks: [{ id: 'T-01', title: 'Clean up', backend: 'shell', command: 'echo cleaning' }] };

  it('refuses shell tasks unless the run passes --allow-shell', async () => {
    handler = (req) => (req.kind === 'decompose' ? { tool: { name: 'submit_plan', input: shellTask } } : defaultHandler(req));
    const refused = spawnDagent(['run', 'Tidy the repo', ...queue()], env());
    expect(await refused.exited).toBe(1);
    expect(refused.stderr()).toContain('shell tasks are not allowed in a plan made by the LLM (the run can allow them with --allow-shell)');

    const allowed = spawnDagent(['run', 'Tidy the repo', '--allow-shell', '--json', ...queue()], env());
    expect(await allowed.exited).toBe(0);
    expect((JSON.parse(allowed.stdout()) as RunResult).tasks[0]).toMatchObject({ backend: 'shell', output: 'cleaning\n' });
  });

  it('dagent plan writes the plan for review; dagent run --file runs it', async () => {
    handler = (req) =>
      req.kind === 'decompose' ? { tool: { name: 'submit_plan', input: { tasks: [{ id: 'T-01', title: 'Write', prompt: 'Write it.' }, { id: 'T-02', title: 'Check', prompt: 'Check {{previous}}', dependsOn: ['T-01'] }] } } } : defaultHandler(req);
    const out = join(dir, 'planned.yaml');
    const planning = spawnDagent(['plan', 'Write and check', '-o', out, ...queue()], env());
    expect(await planning.exited).toBe(0);
    expect(planning.stderr()).toContain(`wrote a plan of 2 tasks to ${out}`);
    const text = await readFile(out, 'utf8');
    expect(text).toContain('goal: Write and check');
    const run = spawnDagent(['run', '--file', out, '--json', ...queue()], env());
    expect(await run.exited).toBe(0);
    expect((JSON.parse(run.stdout()) as RunResult).stats.completed).toBe(2);
    expect(llm.callsFor('T-02').at(-1)!.prompt).toContain('Check output of T-01');
  });
});
