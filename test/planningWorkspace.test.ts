// The planner sees the workspace it plans for: a bounded summary of the folder (files as git
// sees them, languages, README opening), built by an activity and passed by reference, so that
// "review this project" is split by module with real paths.
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunResult } from '../src/run/types';
import { defaultHandler, type Handler, type RecordedRequest } from './support/fakeAnthropic';
import { cleanEnv, spawnDagent } from './support/processes';
import { startTestEnv, TEST_API_KEY, type TestEnv } from './support/testEnv';
import { historyText } from './support/historyText';

const README_MARK = `A small project ${randomUUID()}`;
let dir: string;
let repo: string;
let env: TestEnv;
let handler: Handler = defaultHandler;

/** A planner that does what the real one is asked to: one review task per source file it was shown. */
const pathPlanner: Handler = (req: RecordedRequest) => {
  if (req.kind !== 'decompose') return defaultHandler(req);
  const paths = [...req.prompt.matchAll(/^(src\/\S+) \(\d+ B\)$/gm)].map((m) => m[1]!);
  const tasks = (paths.length ? paths : ['(no files shown)']).map((path, i) => ({ id: `T-0${i + 1}`, title: `Review ${path}`, prompt: `Review ${path} for quality, security and performance.` }));
  return { tool: { name: 'submit_plan', input: { tasks } } };
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dagent-planning-ws-'));
  repo = join(dir, 'repo');
  await mkdir(join(repo, 'src', 'api'), { recursive: true });
  await mkdir(join(repo, 'build'), { recursive: true });
  await writeFile(join(repo, '.gitignore'), 'build/\n');
  await writeFile(join(repo, 'README.md'), `# Demo\n${README_MARK}\n`);
  await writeFile(join(repo, 'src', 'api', 'server.ts'), 'export const port = 8080;\n');
  await writeFile(join(repo, 'src', 'db.ts'), 'export const pool = {};\n');
  await writeFile(join(repo, 'build', 'server.js'), 'compiled\n');
  env = await startTestEnv((req) => handler(req));
});
afterAll(async () => {
  await env?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('planning with a workspace', () => {
  it('shows the planner the files and README by reference, and its tasks name real paths', async () => {
    handler = pathPlanner;
    const handle = await env.start({ goal: 'Review this project', options: { workdir: repo, planCache: false, aggregate: 'plain' } });
    const result = (await handle.result()) as RunResult;
    expect(result.status).toBe('Completed');
    const planning = env.llm.requests.filter((r) => r.kind === 'decompose').at(-1)!;
    expect(planning.prompt).toContain('## The workspace the tasks work on');
    expect(planning.prompt).toContain('src/api/server.ts (');
    expect(planning.prompt).toContain(README_MARK);
    expect(planning.prompt).not.toContain('build/server.js');
    expect(result.plan.tasks.map((t) => t.title)).toEqual(['Review src/db.ts', 'Review src/api/server.ts']);
    // History carries the summary's reference, not the summary.
    const history = historyText(await handle.fetchHistory());
    expect(history).toContain('workspace.md');
    expect(history).not.toContain(README_MARK);
  });

  it('fails planning at once, naming the folder, when the workdir does not exist on the worker', async () => {
    handler = pathPlanner;
    const missing = join(dir, 'nope');
    const error = await (await env.start({ goal: 'Review', options: { workdir: missing, planCache: false } })).result().catch((e: Error & { cause?: Error }) => e.cause?.message);
    expect(error).toContain(`planning failed: workdir ${missing}: workspace ${missing} does not exist or is not a directory on this worker`);
  });

  it('the README headline command plans tasks that name real paths of the current directory', async () => {
    handler = pathPlanner;
    const run = spawnDagent(
      ['run', 'Review this TypeScript project for quality, security and performance', '--json', '--no-cache', '--task-queue', `ws-${randomUUID()}`],
      cleanEnv({ ANTHROPIC_API_KEY: TEST_API_KEY, ANTHROPIC_BASE_URL: env.llm.url, TEMPORAL_ADDRESS: inject('temporalAddress'), DAGENT_RESULTS_DIR: join(dir, 'results') }),
      repo,
    );
    expect(await run.exited, run.stderr()).toBe(0);
    const result = JSON.parse(run.stdout()) as RunResult;
    expect(result.plan.tasks.map((t) => t.prompt)).toEqual([
      'Review src/db.ts for quality, security and performance.',
      'Review src/api/server.ts for quality, security and performance.',
    ]);
  });

  it('a plan file run with --workdir makes its anthropic tasks agents in that folder', async () => {
    handler = (req) => {
      if (req.kind !== 'task') return defaultHandler(req);
      const answered = req.body.messages.filter((m) => m.role === 'assistant').length;
      return answered === 0 ? { tool: { name: 'read_file', input: { path: 'README.md' } } } : { text: 'read it' };
    };
    const plan = join(dir, 'one-task.json');
    await writeFile(plan, JSON.stringify({ tasks: [{ id: 'R', title: 'Read the README', prompt: 'Read the README.' }] }));
    const run = spawnDagent(
      ['run', '--file', plan, '--workdir', repo, '--json', '--task-queue', `ws-${randomUUID()}`],
      cleanEnv({ ANTHROPIC_API_KEY: TEST_API_KEY, ANTHROPIC_BASE_URL: env.llm.url, TEMPORAL_ADDRESS: inject('temporalAddress'), DAGENT_RESULTS_DIR: join(dir, 'results') }),
    );
    expect(await run.exited, run.stderr()).toBe(0);
    const result = JSON.parse(run.stdout()) as RunResult;
    expect(result.tasks[0]).toMatchObject({ status: 'Completed', output: 'read it', filesRead: ['README.md'] });
  });
});
