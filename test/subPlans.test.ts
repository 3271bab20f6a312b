// Sub-plans, the agent tree: a task with decompose: true runs as a child run whose report is
// its output; fork and spawn context; the depth limit and the task cap; cancelling the parent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult, TaskRecord } from '../src/run/types';
import { statusQuery } from '../src/workflows/messages';
import { defaultHandler, sleep, type Handler } from './support/fakeAnthropic';
import { startTestEnv, type TestEnv } from './support/testEnv';

let env: TestEnv;
let handler: Handler = defaultHandler;

beforeAll(async () => {
  env = await startTestEnv((req) => handler(req));
});
afterAll(async () => env?.close());

const byId = (tasks: TaskRecord[]) => Object.fromEntries(tasks.map((t) => [t.id, t]));
const t = (id: string, prompt: string, extra: object = {}) => ({ id, title: `Task ${id}`, prompt, ...extra });
/** The planner answers every goal with these tasks (ids prefixed per goal so they stay apart). */
const planner = (tasksFor: (goal: string) => object[]): Handler => async (req) => {
  if (req.kind === 'decompose') return { tool: { name: 'submit_plan', input: { tasks: tasksFor(/Goal:\n(.*)/.exec(req.prompt)?.[1] ?? '') } } };
  if (req.taskId === 'SLOWSUB') await sleep(20_000);
  return defaultHandler(req);
};

describe('sub-plans', () => {
  it('runs a decompose task as a child run whose report becomes the output (fork hands down the goal chain and outputs)', async () => {
    handler = planner(() => [t('SUB-1', 'First half'), t('SUB-2', 'Second half', { dependsOn: ['SUB-1'] })]);
    const handle = await env.start({
      plan: { goal: 'Audit the platform', tasks: [t('SCAN', 'List the services.'), t('SPLIT', 'Audit every service in depth', { dependsOn: ['SCAN'], decompose: true })] },
    });
    const result = await env.result(handle);
    expect(result.status).toBe('Completed');
    const split = byId(result.tasks).SPLIT!;
    expect(split.status).toBe('Completed');
    expect(split.output).toContain('# dagent report: Audit every service in depth');

    const childPlanning = env.llm.requests.filter((r) => r.kind === 'decompose').at(-1)!;
    expect(childPlanning.prompt).toContain('## This is part of a larger goal\nAudit the platform');
    expect(childPlanning.prompt).toContain('## Results handed down from the parent run\n\n### SCAN · Task SCAN\noutput of SCAN');
    expect(env.llm.callsFor('SUB-2').at(-1)!.prompt).toContain('## This is part of a larger goal\nAudit the platform');

    const child = env.client.workflow.getHandle(`${handle.workflowId}/SPLIT`);
    const childResult = (await child.result()) as RunResult;
    expect(childResult.tasks.map((x) => x.id)).toEqual(['SUB-1', 'SUB-2']);
    // The tree's usage is counted in the parent task: planning, two tasks and the child's report.
    expect(split.usage).toMatchObject({ inputTokens: 40, outputTokens: 80 });
  });

  it('spawn starts the child clean', async () => {
    handler = planner(() => [t('CLEAN-1', 'Alone')]);
    await env.run({ plan: { goal: 'Parent goal', tasks: [t('UP', 'Upstream.'), t('SPAWN', 'Fresh work', { dependsOn: ['UP'], decompose: true, context: 'spawn' })] } });
    const planning = env.llm.requests.filter((r) => r.kind === 'decompose').at(-1)!;
    expect(planning.prompt).toBe('Goal:\nFresh work');
  });

  it('refuses to nest deeper than maxDepth, with a clear error', async () => {
    handler = planner((goal) => (goal === 'Split me' ? [t('INNER', 'Split again', { decompose: true })] : [t('LEAF', 'Leaf')]));
    const result = (await env.run({ plan: { tasks: [t('TOP', 'Split me', { decompose: true })] }, options: { maxDepth: 1 } })) as RunResult;
    const top = byId(result.tasks).TOP!;
    expect(top.status).toBe('Failed');
    expect(top.error).toMatch(/^sub-plan ended Failed: 0 of 1 tasks completed/);
    const child = (await env.client.workflow.getHandle(`${result.workflowId}/TOP`).result()) as RunResult;
    expect(child.tasks[0]!.error).toBe('INNER cannot be split: sub-plans may nest 1 deep (maxDepth); give it a plain prompt or raise maxDepth');
  });

  it('caps the tasks across the tree', async () => {
    handler = planner(() => [t('A1', 'a'), t('A2', 'b')]);
    const noRoom = (await env.run({ plan: { tasks: [t('P', 'p'), t('S', 'Split', { decompose: true })] }, options: { maxTreeTasks: 2 } })) as RunResult;
    expect(byId(noRoom.tasks).S!.error).toBe('S cannot be split: the cap of tasks across the tree (maxTreeTasks) leaves no room for its sub-plan');

    const tooSmall = (await env.run({ plan: { tasks: [t('P', 'p'), t('S', 'Split', { decompose: true })] }, options: { maxTreeTasks: 3 } })) as RunResult;
    expect(byId(tooSmall.tasks).S!.status).toBe('Failed');
    expect(byId(tooSmall.tasks).S!.error).toContain('tasks: 2 tasks; use at most 1');
  });

  it('cancelling the parent cancels its children', async () => {
    handler = planner(() => [t('SLOWSUB', 'Takes long')]);
    const handle = await env.start({ plan: { tasks: [t('KID', 'Split', { decompose: true })] } });
    const child = env.client.workflow.getHandle(`${handle.workflowId}/KID`);
    for (let i = 0; i < 100; i++) {
      const view = await child.query(statusQuery).catch(() => undefined);
      if (view?.tasks[0]?.status === 'Running') break;
      await sleep(100);
    }
    await handle.cancel();
    expect(((await handle.result()) as RunResult).status).toBe('Cancelled');
    const childResult = (await child.result()) as RunResult;
    expect(childResult.status).toBe('Cancelled');
    expect(childResult.tasks[0]).toMatchObject({ status: 'Cancelled', reason: 'run cancelled' });
  });
});
