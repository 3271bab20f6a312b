// Every plan in examples/ runs end to end through the CLI: AI CLIs are the fakes on PATH,
// Claude is the test LLM server, and the API checks hit a small local HTTP server.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunResult } from '../src/run/types';
import { defaultHandler, startFakeAnthropic, type FakeAnthropic } from './support/fakeAnthropic';
import { cleanEnv, spawnDagent } from './support/processes';
import { TEST_API_KEY } from './support/testEnv';

const FAKES = fileURLToPath(new URL('./fixtures/bin', import.meta.url));
let llm: FakeAnthropic;
let api: Server;
let apiUrl: string;
let dir: string;

beforeAll(async () => {
  llm = await startFakeAnthropic(defaultHandler);
  dir = await mkdtemp(join(tmpdir(), 'dagent-examples-'));
  api = createServer((req, res) => {
    if (req.url === '/health') return res.writeHead(200).end('ok');
    if (req.url === '/users') return res.writeHead(200, { 'content-type': 'application/json' }).end('[{"id":1,"name":"Ada"}]');
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await llm?.close();
  await new Promise((resolve) => api?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function runExample(file: string, extra: NodeJS.ProcessEnv = {}): Promise<{ result: RunResult; stderr: string }> {
  const env = cleanEnv({
    ANTHROPIC_API_KEY: TEST_API_KEY,
    ANTHROPIC_BASE_URL: llm.url,
    DAGENT_RESULTS_DIR: join(dir, 'results'),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    PATH: `${FAKES}${delimiter}${process.env.PATH}`,
    FAKE_CLI_LOG: join(dir, 'cli.log'),
    ...extra,
  });
  const run = spawnDagent(['run', '--file', file, '--json', '--task-queue', `examples-${randomUUID()}`], env);
  const code = await run.exited;
  expect(code, run.stderr()).toBe(0);
  return { result: JSON.parse(run.stdout()) as RunResult, stderr: run.stderr() };
}

describe('examples', () => {
  it('repo-health.yaml checks this repository with shell tasks and no API key', async () => {
    const { result } = await runExample('examples/repo-health.yaml', { ANTHROPIC_API_KEY: '' });
    expect(result.tasks.map((t) => [t.id, t.status])).toEqual([
      ['typecheck', 'Completed'],
      ['todos', 'Completed'],
      ['dependencies', 'Completed'],
      ['largest-files', 'Completed'],
    ]);
    const t = Object.fromEntries(result.tasks.map((x) => [x.id, x]));
    expect(t.todos!.output).toMatch(/^\d+ TODO\/FIXME markers in src and test\n$/);
    expect(t.dependencies!.output).toMatch(/^\d+ installed packages, \d+ distinct\ndirect: .*@temporalio\/workflow@/);
    expect(t['largest-files']!.output).toMatch(/^\d+\t\S+\n/);
    expect(result.report).toContain('_Written without the LLM: no ANTHROPIC_API_KEY on the worker._');
  });

  it('code-review.yaml: scan, three reviews in parallel with the scan\'s output, then the action list', async () => {
    const { result } = await runExample('examples/code-review.yaml');
    expect(result.status).toBe('Completed');
    const t = Object.fromEntries(result.tasks.map((x) => [x.id, x]));
    for (const id of ['T-02', 'T-03', 'T-04']) expect(t[id]!.startedAt).toBeGreaterThanOrEqual(t['T-01']!.finishedAt!);
    const log = (await readFile(join(dir, 'cli.log'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { args: string[]; cwd: string });
    const security = log.find((c) => c.args[1]?.includes('## Your task: T-03 · Security review'))!;
    expect(security.args[1]).toContain('fake claude output for T-01');
    expect(security.args).toEqual(expect.arrayContaining(['--permission-mode', 'plan', '--max-turns', '20']));
    expect(security.cwd).toBe(process.cwd());
    expect(llm.callsFor('T-05')[0]!.prompt).toContain('### T-03 · Security review\nfake claude output for T-03');
  });

  it('translate-docs.yaml translates five documents in parallel', async () => {
    const { result } = await runExample('examples/translate-docs.yaml');
    expect(result.stats).toMatchObject({ totalTasks: 5, completed: 5 });
    expect(llm.callsFor('doc-3')[0]!.system).toContain('professional technical translator');
  });

  it('api-checks.yaml checks endpoints and writes a test report from the results', async () => {
    const { result } = await runExample('examples/api-checks.yaml', { API_BASE_URL: apiUrl, DAGENT_SHELL_ENV: 'API_BASE_URL' });
    const t = Object.fromEntries(result.tasks.map((x) => [x.id, x]));
    expect(t.health!.output).toBe('PASS GET /health 200\n');
    expect(t.users!.output).toBe('PASS GET /users [{"id":1,"name":"Ada"}]\n');
    expect(t['not-found']!.output).toBe('PASS GET /nope 404\n');
    expect(llm.callsFor('report')[0]!.prompt).toContain('health: PASS GET /health 200');
  });

  it('clinvk-tasks.json, a clinvk tasks file, runs unchanged on claude, gemini and codex', async () => {
    const { result } = await runExample('examples/clinvk-tasks.json');
    expect(result.tasks.map((t) => [t.id, t.backend, t.status, t.output])).toEqual([
      ['T-01', 'claude', 'Completed', 'fake claude output for T-01'],
      ['T-02', 'gemini', 'Completed', 'fake gemini output for T-02'],
      ['T-03', 'codex', 'Completed', 'fake codex output for T-03'],
    ]);
  });
});
