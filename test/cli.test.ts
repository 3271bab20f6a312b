// The dagent CLI as a user runs it, as a child process against the test Temporal and LLM servers;
// and the same run started with the real `temporal` CLI and served by `dagent worker`.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { RunResult } from '../src/run/types';
import { freePort } from '../src/temporal/devServer';
import { defaultHandler, startFakeAnthropic, type FakeAnthropic, type Handler } from './support/fakeAnthropic';
import { cleanEnv, spawnDagent, waitForOutput } from './support/processes';
import { TEST_API_KEY } from './support/testEnv';

let llm: FakeAnthropic;
let resultsDir: string;
let handler: Handler = defaultHandler;
const plan = {
  tasks: [
    { id: 'T-01', title: 'Scan the code', prompt: 'List the files.' },
    { id: 'T-02', title: 'Security review', prompt: 'Find security issues.', dependsOn: ['T-01'] },
    { id: 'T-03', title: 'Performance review', prompt: 'Find slow code.', dependsOn: ['T-01'] },
  ],
};
const planner: Handler = (req) => (req.kind === 'decompose' ? { tool: { name: 'submit_plan', input: plan } } : handler(req));

beforeAll(async () => {
  llm = await startFakeAnthropic(planner);
  resultsDir = await mkdtemp(join(tmpdir(), 'dagent-cli-'));
});
afterAll(async () => {
  await llm?.close();
  await rm(resultsDir, { recursive: true, force: true });
});

const env = (extra: NodeJS.ProcessEnv = {}) =>
  cleanEnv({ ANTHROPIC_API_KEY: TEST_API_KEY, ANTHROPIC_BASE_URL: llm.url, DAGENT_RESULTS_DIR: resultsDir, TEMPORAL_ADDRESS: inject('temporalAddress'), ...extra });

describe('dagent run', () => {
  it('--json prints the RunResult and nothing else', async () => {
    handler = defaultHandler;
    const run = spawnDagent(['run', 'Review this TypeScript project', '--json', '--task-queue', `cli-${randomUUID()}`], env());
    expect(await run.exited).toBe(0);
    const result = JSON.parse(run.stdout()) as RunResult;
    expect(result).toMatchObject({ status: 'Completed', goal: 'Review this TypeScript project', stats: { totalTasks: 3, completed: 3 } });
    expect(result.tasks.map((t) => [t.id, t.status, t.output])).toEqual([
      ['T-01', 'Completed', 'output of T-01'],
      ['T-02', 'Completed', 'output of T-02'],
      ['T-03', 'Completed', 'output of T-03'],
    ]);
    expect(result.workflowId).toMatch(/^dagent-review-this-typescript-project-[0-9a-f]{6}$/);
    expect(result.usage.inputTokens).toBeGreaterThan(0);
  });

  it('shows progress on stderr and prints the report on stdout', async () => {
    handler = defaultHandler;
    const run = spawnDagent(['run', 'Review again', '--task-queue', `cli-${randomUUID()}`], env());
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toContain('# dagent report: Review again');
    expect(run.stdout()).toContain('| T-02 | Security review | Completed | 1 |');
    expect(run.stderr()).toContain('T-03 Completed');
    expect(run.stdout()).toMatch(/^T-02 +anthropic +Completed +1 +\S+ +Security review$/m);
    expect(run.stdout()).toMatch(/^Total: 3 tasks, 3 completed, 0 failed, 0 skipped, 0 cancelled \(\d+\.\ds, speedup \d+\.\dx\)$/m);
  });

  it('exits 1 when a task fails, and the report says why', async () => {
    handler = (req) => (req.taskId === 'T-02' ? { status: 400, errorType: 'invalid_request_error', message: 'bad prompt' } : defaultHandler(req));
    const run = spawnDagent(['run', 'Review with a failure', '--task-queue', `cli-${randomUUID()}`], env());
    expect(await run.exited).toBe(1);
    expect(run.stdout()).toContain('**T-02 · Security review** failed after 1 attempt(s): Anthropic API 400 invalid_request_error: bad prompt');
  });

  it('fails at once, exit 2, naming the variable, when ANTHROPIC_API_KEY is missing', async () => {
    const run = spawnDagent(['run', 'No key'], env({ ANTHROPIC_API_KEY: '' }));
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain('ANTHROPIC_API_KEY is not set');
    expect(run.stdout()).toBe('');
  });

  it('exits 2 on a bad flag value', async () => {
    const run = spawnDagent(['run', 'x', '--max-parallel', 'zero'], env());
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain('--max-parallel must be a whole number of 1 or more, got "zero"');
  });
});

describe('temporal workflow start + dagent worker', () => {
  it('runs the same input started with the temporal CLI', async () => {
    handler = defaultHandler;
    const taskQueue = `cli-${randomUUID()}`;
    const worker = spawnDagent(['worker', '--task-queue', taskQueue], env());
    try {
      await waitForOutput(worker, 'worker polling');
      const workflowId = `temporal-cli-${randomUUID()}`;
      const temporal = inject('temporalCli');
      const address = inject('temporalAddress');
      await promisify(execFile)(temporal, [
        'workflow', 'start', '--address', address, '--type', 'orchestrate', '--task-queue', taskQueue,
        '--workflow-id', workflowId, '--input', JSON.stringify({ goal: 'Started from the temporal CLI' }),
      ]);
      const { stdout } = await promisify(execFile)(temporal, ['workflow', 'result', '--address', address, '--workflow-id', workflowId, '--output', 'json']);
      const result = JSON.parse(stdout) as { status: string; result: RunResult };
      expect(result.status).toBe('COMPLETED');
      expect(result.result).toMatchObject({ status: 'Completed', goal: 'Started from the temporal CLI', stats: { completed: 3 } });
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
  });
});

describe('Ctrl-C and dagent dev', () => {
  it('Ctrl-C leaves the run going, says how to watch it, and another worker finishes it', async () => {
    handler = async (req) => {
      if (req.kind === 'task') await new Promise((r) => setTimeout(r, 1500));
      return defaultHandler(req);
    };
    const taskQueue = `cli-${randomUUID()}`;
    const run = spawnDagent(['run', 'Interrupted run', '--task-queue', taskQueue], env());
    await waitForOutput(run, 'T-01 Running');
    const workflowId = /started workflow (\S+)/.exec(run.stderr())![1]!;
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.stderr()).toContain(`the run ${workflowId} goes on in Temporal`);
    expect(run.stderr()).toContain(`npx dagent worker --task-queue ${taskQueue}`);

    const worker = spawnDagent(['worker', '--task-queue', taskQueue], env());
    try {
      const client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
      const result = (await client.workflow.getHandle(workflowId).result()) as RunResult;
      await client.connection.close();
      expect(result.status).toBe('Completed');
      expect(result.tasks.map((t) => t.status)).toEqual(['Completed', 'Completed', 'Completed']);
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
  });

  it('dagent dev serves a persistent dev server until Ctrl-C', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dagent-dev-'));
    const [port, uiPort] = [await freePort(), await freePort()];
    const dev = spawnDagent(['dev', '--port', String(port), '--ui-port', String(uiPort), '--db-file', join(dir, 'dev.db'), '--headless'], env());
    try {
      await waitForOutput(dev, `Temporal dev server on 127.0.0.1:${port}`);
      const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
      await connection.workflowService.describeNamespace({ namespace: 'default' });
      await connection.close();
      dev.child.kill('SIGINT');
      expect(await dev.exited).toBe(0);
      await access(join(dir, 'dev.db'));
    } finally {
      dev.child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
