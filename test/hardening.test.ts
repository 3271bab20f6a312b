// Input that once stalled or broke a live run, sent straight to the workflow (as `temporal
// workflow start` would, with no CLI in front): zero timeouts, 10,000 tasks, a backtracking
// pattern, templates in commands, very long workflow ids, a reused requestId.
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult, TaskRecord } from '../src/run/types';
import { approveUpdate, skipTaskUpdate, statusQuery } from '../src/workflows/messages';
import { defaultHandler, sleep, type Handler } from './support/fakeAnthropic';
import { startTestEnv, type TestEnv } from './support/testEnv';

let env: TestEnv;
let handler: Handler = defaultHandler;
beforeAll(async () => {
  env = await startTestEnv((req) => handler(req));
});
afterAll(async () => env?.close());

const byId = (tasks: TaskRecord[]) => Object.fromEntries(tasks.map((t) => [t.id, t]));

async function failure(input: Parameters<TestEnv['start']>[0]): Promise<string> {
  const error = await (await env.start(input)).result().then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  return (error as WorkflowFailedError).cause?.message ?? '';
}

describe('input the server would refuse never reaches it', () => {
  it('a zero task timeout fails the run at once with the field named (it used to loop forever)', async () => {
    expect(await failure({ plan: { tasks: [{ id: 'Z', title: 'z', prompt: 'p', timeout: '0s' }] } })).toContain('tasks[0].timeout (Z): must be between 1s and 24h');
    expect(await failure({ plan: { tasks: [{ id: 'Z', title: 'z', prompt: 'p' }] }, options: { taskTimeout: '0ms' } })).toContain('options.taskTimeout: must be between 1s and 24h');
  });

  it('a plan of 10,000 tasks is refused at once by its count', async () => {
    const tasks = Array.from({ length: 10_000 }, (_, i) => ({ id: `T${i}`, prompt: 'p' }));
    expect(await failure({ plan: { tasks } })).toContain('tasks: 10000 tasks; a plan may have at most 500');
  });
});

describe('a planner that answers 10,000 tasks', () => {
  it('is told the count at once, three times, and the run fails without the planning activity running again', async () => {
    const tasks = Array.from({ length: 10_000 }, (_, i) => ({ id: `T${i}`, title: 't', prompt: 'p' }));
    handler = (req) => (req.kind === 'decompose' ? { tool: { name: 'submit_plan', input: { tasks } } } : defaultHandler(req));
    const before = env.llm.requests.length;
    // 5 s: well above the worker's heartbeat cadence even on a loaded machine, far below the 23 s the old validation took.
    const message = await failure({ goal: 'Plan far too much', options: { heartbeatTimeout: '5s', planCache: false } });
    expect(message).toContain('the planner returned an invalid plan 3 times');
    expect(message).toContain('10000 tasks; a plan may have at most 500');
    const calls = env.llm.requests.slice(before).filter((r) => r.kind === 'decompose');
    expect(calls).toHaveLength(3);
    expect(calls[1]!.prompt).toContain('10000 tasks; a plan may have at most 500');
  });
});

describe('outputSchema patterns', () => {
  it('a backtracking pattern neither freezes the worker nor makes an unrelated task time out', async () => {
    handler = async (req) => {
      if (req.taskId === 'REGEX') return { text: JSON.stringify(`${'a'.repeat(30)}!`) };
      if (req.taskId === 'OTHER') await sleep(3000);
      return defaultHandler(req);
    };
    const plan = {
      tasks: [
        { id: 'OTHER', title: 'Unrelated', prompt: 'p' },
        { id: 'REGEX', title: 'Pattern', prompt: 'p', outputSchema: { type: 'string', pattern: '^(a+)+$' } },
      ],
    };
    // 5 s: above the heartbeat cadence on a loaded machine; the old regex froze the worker for ~40 s.
    const result = await env.run({ plan, options: { heartbeatTimeout: '5s', aggregate: 'plain' } });
    const tasks = byId(result.tasks);
    expect(tasks.REGEX!.status).toBe('Failed');
    expect(tasks.REGEX!.error).toContain('output does not match outputSchema: output must match pattern "^(a+)+$"');
    expect(tasks.OTHER!.status).toBe('Completed');
    expect(tasks.OTHER!.attempts).toBe(1);
  });
});

describe('templates outside the prompt', () => {
  it('fill shell commands as quoted variables or arguments (never as shell code), systemPrompt and expectedOutput', async () => {
    const marker = `/tmp/dagent-injected-${randomUUID()}`;
    const hostile = `it's "fine"; touch ${marker} $(touch ${marker})`;
    handler = (req) => (req.taskId === 'SRC' ? { text: hostile } : defaultHandler(req));
    const plan = {
      tasks: [
        { id: 'SRC', title: 'Source', prompt: 'p' },
        { id: 'STR', title: 'String command', backend: 'shell' as const, command: "printf '%s' {{previous}}", dependsOn: ['SRC'] },
        { id: 'ARGV', title: 'Argv command', backend: 'shell' as const, command: ['printf', '[%s]', 'got: {{tasks.SRC.output}}'], dependsOn: ['SRC'] },
        { id: 'AI', title: 'Model', prompt: 'Check it.', systemPrompt: 'Upstream said: {{previous}}', expectedOutput: 'A verdict on «{{tasks.SRC.output}}»', dependsOn: ['SRC'] },
      ],
    };
    const result = await env.run({ plan, options: { aggregate: 'plain' } });
    const tasks = byId(result.tasks);
    expect(tasks.STR!.output).toBe(hostile);
    expect(tasks.ARGV!.output).toBe(`[got: ${hostile}]`);
    expect(existsSync(marker)).toBe(false);
    const call = env.llm.callsFor('AI')[0]!;
    expect(call.system).toContain(`Upstream said: ${hostile}`);
    expect(call.prompt).toContain(`A verdict on «${hostile}»`);
  });
});

describe('workflow ids', () => {
  it('a 300-character id and one of 30 emoji run like any other (no ENAMETOOLONG in the store)', async () => {
    handler = defaultHandler;
    for (const workflowId of [`run-${'x'.repeat(296)}`, '🦊'.repeat(30)]) {
      const result = (await (await env.start({ plan: { tasks: [{ id: 'T-01', title: 't', prompt: 'p' }] } }, workflowId)).result()) as RunResult;
      expect(result.status, workflowId.slice(0, 10)).toBe('Completed');
      expect(await env.store.get(result.tasks[0]!.outputRef!)).toBe('output of T-01');
    }
  });
});

describe('requestIds', () => {
  it('a requestId used again for a different move is refused; the same move again answers as before', async () => {
    handler = defaultHandler;
    const handle = await env.start({ plan: { tasks: [{ id: 'A', title: 'a', prompt: 'p', requiresApproval: true }, { id: 'B', title: 'b', prompt: 'p', requiresApproval: true }] } });
    for (let i = 0; i < 50 && (await handle.query(statusQuery)).counts.AwaitingApproval < 2; i++) await sleep(100);
    const requestId = `req-${randomUUID()}`;
    const first = await handle.executeUpdate(approveUpdate, { args: [{ requestId, taskId: 'A' }] });
    expect(first.audit.at(-1)!.effect).toBe('A approved');
    const refused = await handle.executeUpdate(skipTaskUpdate, { args: [{ requestId, taskId: 'B' }] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((refused as WorkflowUpdateFailedError).cause?.message).toContain(`requestId ${requestId} was already used for another request (approve {"taskId":"A"})`);
    const after = await handle.query(statusQuery);
    expect(byId(after.tasks).B!.status).toBe('AwaitingApproval');
    expect(after.audit).toEqual(first.audit);
    const again = await handle.executeUpdate(approveUpdate, { args: [{ requestId, taskId: 'A' }] });
    expect(again.audit).toEqual(first.audit);
    await handle.executeUpdate(approveUpdate, { args: [{ requestId: `req-${randomUUID()}`, taskId: 'B' }] });
    expect(((await handle.result()) as RunResult).status).toBe('Completed');
  });
});
