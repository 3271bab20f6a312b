// Planning a goal with the LLM: the submit_plan tool, repairs with the exact message, the limit.
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultHandler, type Handler } from './support/fakeAnthropic';
import { startTestEnv, type TestEnv } from './support/testEnv';

let env: TestEnv;
let handler: Handler = defaultHandler;

beforeAll(async () => {
  env = await startTestEnv((req) => handler(req));
});
afterAll(async () => env?.close());

const t = (id: string, dependsOn: string[] = []) => ({ id, title: `Title ${id}`, prompt: `Prompt ${id}`, dependsOn });
const cyclic = { tasks: [t('T-01', ['T-03']), t('T-02', ['T-01']), t('T-03', ['T-02'])] };
const good = { tasks: [t('T-01'), t('T-02'), t('T-03', ['T-01', 'T-02'])] };

describe('decompose', () => {
  it('plans a goal through submit_plan, runs it and aggregates', async () => {
    handler = (req) => (req.kind === 'decompose' ? { tool: { name: 'submit_plan', input: good } } : defaultHandler(req));
    const result = await env.run({ goal: 'Review this repository' });
    expect(result.status).toBe('Completed');
    expect(result.goal).toBe('Review this repository');
    expect(result.plan.tasks.map((x) => x.id)).toEqual(['T-01', 'T-02', 'T-03']);
    const planning = env.llm.requests.filter((r) => r.kind === 'decompose').at(-1)!;
    expect(planning.body.tools![0]).toMatchObject({ name: 'submit_plan', input_schema: { type: 'object', required: ['tasks'] } });
    expect(planning.body.system).toContain('safe to retry');
    expect(result.report).toContain('## Executive summary');
    // decompose + 3 tasks + aggregate, each reporting 10 in / 20 out
    expect(result.usage).toEqual({ inputTokens: 50, outputTokens: 100 });
  });

  it('sends a cyclic plan back with the exact cycle and uses the repaired plan', async () => {
    let answers = 0;
    handler = (req) => (req.kind === 'decompose' ? { tool: { name: 'submit_plan', input: ++answers === 1 ? cyclic : good } } : defaultHandler(req));
    const result = await env.run({ goal: 'Repair me' });
    expect(answers).toBe(2);
    const repair = env.llm.requests.filter((r) => r.kind === 'decompose').at(-1)!;
    expect(repair.prompt).toContain('cycle: T-01 → T-03 → T-02 → T-01');
    expect(result.plan.tasks.map((x) => x.dependsOn)).toEqual([[], [], ['T-01', 'T-02']]);
  });

  it('fails the run, non-retryably, after two repairs, with the validation message', async () => {
    let answers = 0;
    handler = (req) => {
      if (req.kind !== 'decompose') return defaultHandler(req);
      answers++;
      return { tool: { name: 'submit_plan', input: cyclic } };
    };
    const handle = await env.start({ goal: 'Never valid' });
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause?.message).toContain('the planner returned an invalid plan 3 times');
    expect((error as WorkflowFailedError).cause?.message).toContain('cycle: T-01 → T-03 → T-02 → T-01');
    expect(answers).toBe(3);
    expect(env.llm.requests.filter((r) => r.kind === 'task' && r.receivedAt > 0 && r.prompt.includes('Never valid'))).toHaveLength(0);
  });

  it('treats malformed tool input as an invalid plan and asks again', async () => {
    let answers = 0;
    handler = (req) =>
      req.kind === 'decompose'
        ? ++answers === 1
          ? { tool: { name: 'submit_plan', input: { tasks: [{ id: 'T-01', title: 'no prompt' }] } } }
          : { tool: { name: 'submit_plan', input: good } }
        : defaultHandler(req);
    const result = await env.run({ goal: 'Malformed first' });
    expect(result.status).toBe('Completed');
    expect(env.llm.requests.filter((r) => r.kind === 'decompose').at(-1)!.prompt).toContain('tasks[0].prompt (T-01): is required');
  });
});
