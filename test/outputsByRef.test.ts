// Large outputs stay out of history: the activity stores them, history keeps a reference.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultHandler } from './support/fakeAnthropic';
import { planOf, startTestEnv, type TestEnv } from './support/testEnv';

const BIG = 300 * 1024;
let env: TestEnv;

beforeAll(async () => {
  env = await startTestEnv((req) => (req.kind === 'task' ? { text: `${req.taskId}:`.padEnd(BIG, 'x') } : defaultHandler(req)));
});
afterAll(async () => env?.close());

describe('outputs by reference', () => {
  it('completes a run whose tasks each return 300 KB with a history under 1 MB', async () => {
    const plan = planOf({ B1: [], B2: [], B3: [], B4: [], B5: [], B6: [], JOIN: ['B1', 'B2', 'B3', 'B4', 'B5', 'B6'] });
    const handle = await env.start({ plan });
    const result = await handle.result();
    expect(result.status).toBe('Completed');
    for (const task of result.tasks) {
      expect(task.output).toBeUndefined();
      expect(task.outputBytes).toBe(BIG);
      expect((await env.store.get(task.outputRef!)).startsWith(`${task.id}:`)).toBe(true);
    }
    // JOIN read all six upstream outputs through the store (each clipped to its share of the budget).
    const join = env.llm.callsFor('JOIN')[0]!.prompt;
    for (const id of ['B1', 'B2', 'B3', 'B4', 'B5', 'B6']) expect(join).toContain(`### ${id} · Task ${id}\n${id}:xxx`);

    const historyBytes = JSON.stringify(await handle.fetchHistory()).length;
    expect(historyBytes).toBeLessThan(1024 * 1024);
    expect(historyBytes).toBeGreaterThan(0);
  });
});
