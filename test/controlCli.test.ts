// The control plane from the command line: our CLI (status, patch, approve, result, graph,
// list, refused updates) and the same moves with the real `temporal` CLI.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunResult, RunStatusView } from '../src/run/types';
import { statusQuery } from '../src/workflows/messages';
import { defaultHandler, sleep, startFakeAnthropic, type FakeAnthropic } from './support/fakeAnthropic';
import { cleanEnv, runDagent, spawnDagent, waitForOutput } from './support/processes';
import { planOf, startTestEnv, TEST_API_KEY, type TestEnv } from './support/testEnv';

let llm: FakeAnthropic;
let testEnv: TestEnv;
let dir: string;

beforeAll(async () => {
  llm = await startFakeAnthropic(defaultHandler);
  testEnv = await startTestEnv(defaultHandler);
  dir = await mkdtemp(join(tmpdir(), 'dagent-control-cli-'));
});
afterAll(async () => {
  await testEnv?.close();
  await llm?.close();
  await rm(dir, { recursive: true, force: true });
});

const env = () => cleanEnv({ ANTHROPIC_API_KEY: TEST_API_KEY, ANTHROPIC_BASE_URL: llm.url, DAGENT_RESULTS_DIR: join(dir, 'results'), TEMPORAL_ADDRESS: inject('temporalAddress') });
const dagent = (...args: string[]) => runDagent(args, env());

describe('dagent control commands', () => {
  it('refuses a request id used again for a different move (the server would answer it with the first move)', async () => {
    const handle = await testEnv.start({ plan: { tasks: [{ id: 'A', title: 'a', prompt: 'p', requiresApproval: true }, { id: 'B', title: 'b', prompt: 'p', requiresApproval: true }] } });
    for (let i = 0; i < 50 && (await handle.query(statusQuery)).counts.AwaitingApproval < 2; i++) await sleep(100);
    const requestId = `same-${randomUUID()}`;
    expect((await dagent('approve', handle.workflowId, '--task', 'A', '--request-id', requestId)).code).toBe(0);
    const again = await dagent('approve', handle.workflowId, '--task', 'A', '--request-id', requestId);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`A approved (request ${requestId})`);
    const reused = await dagent('skip', handle.workflowId, '--task', 'B', '--request-id', requestId);
    expect(reused.code).toBe(2);
    expect(reused.stderr).toContain(`refused: request id ${requestId} was already used in this run for "approve A"; send this skip with a new --request-id (the run is unchanged)`);
    expect((await handle.query(statusQuery)).tasks.find((t) => t.id === 'B')!.status).toBe('AwaitingApproval');
    expect((await dagent('approve', handle.workflowId, '--task', 'B')).code).toBe(0);
    expect(((await handle.result()) as RunResult).status).toBe('Completed');
  });

  it('status, patch, approve, result, graph and list on a run waiting for plan approval', async () => {
    const plan = join(dir, 'plan.yaml');
    await writeFile(plan, 'goal: Controlled run\ntasks:\n  - {id: A, title: First, prompt: Do A}\n  - {id: B, title: Second, prompt: Do B, dependsOn: [A]}\n');
    const workflowId = `cli-control-${randomUUID()}`;
    const run = spawnDagent(['run', '--file', plan, '--approve-plan', '--workflow-id', workflowId, '--task-queue', `cq-${randomUUID()}`], env());
    await waitForOutput(run, `started workflow ${workflowId}`);

    let status: RunStatusView | undefined;
    for (let i = 0; i < 50 && status?.phase !== 'AwaitingApproval'; i++) {
      status = JSON.parse((await dagent('status', workflowId, '--json')).stdout) as RunStatusView;
      if (status.phase !== 'AwaitingApproval') await sleep(200);
    }
    expect(status!.phase).toBe('AwaitingApproval');

    const refused = await dagent('retry', workflowId, '--task', 'A');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('refused: cannot retry while the run is AwaitingApproval; the run is unchanged');

    const patchFile = join(dir, 'patch.yaml');
    await writeFile(patchFile, 'add:\n  - {id: C, title: Third, prompt: Do C, dependsOn: [A]}\n');
    const patched = await dagent('patch', workflowId, '--file', patchFile, '--reason', 'one more check');
    expect(patched.code).toBe(0);
    expect(patched.stdout).toMatch(/^plan patched: 1 added, 0 updated, 0 removed \(request [0-9a-f-]+\)$/m);

    const approved = await dagent('approve', workflowId, '--request-id', 'approve-once');
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain('plan approved (request approve-once)');
    expect(await run.exited).toBe(0);

    const result = await dagent('result', workflowId, '--json');
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as RunResult;
    expect(parsed.tasks.map((t) => [t.id, t.status])).toEqual([['A', 'Completed'], ['B', 'Completed'], ['C', 'Completed']]);
    expect(parsed.audit.map((a) => [a.action, a.reason])).toEqual([['patch', 'one more check'], ['approve', undefined]]);
    expect(parsed.report).toContain('```mermaid\nflowchart LR');

    const graph = await dagent('graph', workflowId);
    expect(graph.stdout).toContain('t0_A --> t1_B');
    expect(graph.stdout).toMatch(/classDef Completed fill:#c8e6c9/);
    expect(graph.stdout).toContain('gantt\n  dateFormat x');

    const listed = await dagent('list', '--status', 'completed');
    expect(listed.stdout).toMatch(new RegExp(`^${workflowId} +COMPLETED `, "m"));
  });
});

describe('dagent status --watch', () => {
  it('follows a run until it ends and exits with the run\'s exit code', async () => {
    const handle = await testEnv.start({ plan: { tasks: [{ id: 'W1', title: 'Wait', backend: 'shell', command: 'sleep 2' }, { id: 'W2', title: 'Fail', backend: 'shell', command: 'exit 4', dependsOn: ['W1'] }] } });
    const watch = spawnDagent(['status', handle.workflowId, '--watch'], env());
    expect(await watch.exited).toBe(1);
    expect(watch.stdout()).toContain('W1 Completed');
    expect(watch.stdout()).toContain('W2 Failed: shell task W2 exited with code 4');
    expect(watch.stdout()).toMatch(/Total: 2 tasks, 1 completed, 1 failed, 0 skipped/);
  });
});

describe('the same with the temporal CLI', () => {
  it('queries the status and approves the plan with temporal workflow query / update execute', async () => {
    const handle = await testEnv.start({ plan: planOf({ X: [] }), options: { approval: 'plan' } });
    const temporal = inject('temporalCli');
    const address = inject('temporalAddress');
    for (let i = 0; i < 50 && (await handle.query(statusQuery)).phase !== 'AwaitingApproval'; i++) await sleep(100);

    const query = await promisify(execFile)(temporal, ['workflow', 'query', '--address', address, '--workflow-id', handle.workflowId, '--type', 'status', '--output', 'json']);
    expect(JSON.parse(query.stdout).queryResult[0]).toMatchObject({ phase: 'AwaitingApproval', tasks: [{ id: 'X', status: 'Pending' }] });

    // A refused move reads as its plain reason, with no "retryable: true" noise.
    const refused = (await promisify(execFile)(temporal, [
      'workflow', 'update', 'execute', '--address', address, '--workflow-id', handle.workflowId, '--name', 'retryTask', '--input', JSON.stringify({ requestId: 'refused-retry', taskId: 'X' }),
    ]).catch((e: unknown) => e)) as { code?: number; stderr?: string; stdout?: string };
    expect(refused.code).not.toBe(0);
    const said = `${refused.stderr ?? ''}${refused.stdout ?? ''}`;
    expect(said).toContain('cannot retry while the run is AwaitingApproval');
    expect(said).not.toContain('retryable');

    await promisify(execFile)(temporal, [
      'workflow', 'update', 'execute', '--address', address, '--workflow-id', handle.workflowId, '--name', 'approve', '--input', JSON.stringify({ requestId: 'from-temporal-cli', reason: 'via temporal' }),
    ]);
    const result = (await handle.result()) as RunResult;
    expect(result.status).toBe('Completed');
    expect(result.audit[0]).toMatchObject({ requestId: 'from-temporal-cli', action: 'approve', reason: 'via temporal' });
  });
});
