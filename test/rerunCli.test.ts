// `dagent rerun` from the command line: a failed run rerun reuses what completed, --task/--prompt
// and --from make tasks run again, and bad input is refused with the field named and exit 2.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunResult } from '../src/run/types';
import { defaultHandler, startFakeAnthropic, type FakeAnthropic, type Handler } from './support/fakeAnthropic';
import { cleanEnv, runDagent } from './support/processes';
import { TEST_API_KEY } from './support/testEnv';

let llm: FakeAnthropic;
let dir: string;
let handler: Handler = defaultHandler;
const taskQueue = `rerun-cli-${randomUUID()}`;

beforeAll(async () => {
  llm = await startFakeAnthropic((req) => handler(req));
  dir = await mkdtemp(join(tmpdir(), 'dagent-rerun-cli-'));
});
afterAll(async () => {
  await llm?.close();
  await rm(dir, { recursive: true, force: true });
});

const env = () => cleanEnv({ ANTHROPIC_API_KEY: TEST_API_KEY, ANTHROPIC_BASE_URL: llm.url, DAGENT_RESULTS_DIR: join(dir, 'results'), TEMPORAL_ADDRESS: inject('temporalAddress') });
const dagent = (...args: string[]) => runDagent(args, env());

describe('dagent rerun', () => {
  it('reruns a failed run paying only for what failed, then with a new prompt and --from', async () => {
    const plan = join(dir, 'plan.yaml');
    await writeFile(plan, 'goal: Rerun me\ntasks:\n  - {id: A, title: First, prompt: Do A}\n  - {id: B, title: Second, prompt: Do B, dependsOn: [A]}\n  - {id: C, title: Third, prompt: Do C}\n');
    let failB = true;
    handler = (req) => (req.kind === 'task' && req.taskId === 'B' && failB ? { status: 400, errorType: 'invalid_request_error', message: 'no B today' } : defaultHandler(req));
    const first = `rerun-first-${randomUUID()}`;
    const ran = await dagent('run', '--file', plan, '--workflow-id', first, '--task-queue', taskQueue, '--no-aggregate', '--quiet');
    expect(ran.code).toBe(1);

    failB = false;
    const calls = () => ['A', 'B', 'C'].map((id) => llm.callsFor(id).length);
    const before = calls();
    const rerun = await dagent('rerun', first, '--task-queue', taskQueue, '--json');
    expect(rerun.stderr).toBe('');
    expect(rerun.code).toBe(0);
    const result = JSON.parse(rerun.stdout) as RunResult;
    expect(result.tasks.map((t) => [t.id, t.status])).toEqual([['A', 'Reused'], ['B', 'Completed'], ['C', 'Reused']]);
    expect(result.tasks[0]!.output).toBe('output of A');
    // The earlier run's options came along: no aggregate step, so no report.
    expect(result.report).toBe('');
    expect(calls()).toEqual([before[0], before[1]! + 1, before[2]]);

    const again = await dagent('rerun', result.workflowId, '--task-queue', taskQueue, '--task', 'C', '--prompt', 'Do C again, better', '--from', 'A', '--json');
    expect(again.code).toBe(0);
    const third = JSON.parse(again.stdout) as RunResult;
    expect(third.tasks.map((t) => [t.id, t.status])).toEqual([['A', 'Completed'], ['B', 'Completed'], ['C', 'Completed']]);
    expect(third.plan.tasks[2]!.prompt).toBe('Do C again, better');
    expect(llm.callsFor('C').at(-1)!.prompt).toContain('Do C again, better');

    const badFrom = await dagent('rerun', first, '--task-queue', taskQueue, '--from', 'Z');
    expect([badFrom.code, badFrom.stderr.trim()]).toEqual([2, `dagent: --from: no task Z in the plan of ${first}`]);
    const half = await dagent('rerun', first, '--task', 'C');
    expect([half.code, half.stderr.trim()]).toEqual([2, 'dagent: --task and --prompt go together: the task whose prompt changes, and its new prompt']);
    const none = await dagent('rerun', `no-such-run-${randomUUID()}`);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^dagent: no run no-such-run-/);
  });
});
