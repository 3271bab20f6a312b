// Outputs stay out of history whatever their size: the activity stores them, history keeps a
// reference and a short preview, and clients read the texts from the store.
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultHandler } from './support/fakeAnthropic';
import { historyText } from './support/historyText';
import { planOf, startTestEnv, type TestEnv } from './support/testEnv';

const BIG = 300 * 1024;
let outputChars = BIG;
let env: TestEnv;

beforeAll(async () => {
  env = await startTestEnv((req) => (req.kind === 'task' ? { text: `${req.taskId}:`.padEnd(outputChars, 'x') } : defaultHandler(req)));
});
afterAll(async () => env?.close());

const fanOut = planOf({ O1: [], O2: [], O3: [], O4: [], O5: [], O6: [], O7: [], O8: [], O9: [], O10: [] });

async function historyBytesFor(chars: number): Promise<number> {
  outputChars = chars;
  const handle = await env.start({ plan: fanOut, options: { maxParallel: 10, aggregate: 'none' } });
  expect((await handle.result()).status).toBe('Completed');
  return proto.temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish().length;
}

describe('outputs by reference', () => {
  it('completes a run whose tasks each return 300 KB with a history under 1 MB', async () => {
    outputChars = BIG;
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

  it('keeps 8 KB outputs out of history too: it grows by under a tenth of the output bytes', async () => {
    const base = await historyBytesFor(10);
    const grown = (await historyBytesFor(8 * 1024)) - base;
    expect(grown).toBeLessThan(0.1 * 10 * 8 * 1024);
  });

  it('keeps even a short output out of history, while the client still reads it from the store', async () => {
    outputChars = 600;
    const handle = await env.start({ plan: planOf({ S1: [] }), options: { aggregate: 'none' } });
    const result = await handle.result();
    const text = await env.store.get(result.tasks[0]!.outputRef!);
    expect(text).toHaveLength(600);
    expect(historyText(await handle.fetchHistory())).not.toContain(text.slice(0, 400));
    expect(result.tasks[0]!.preview!.length).toBeLessThanOrEqual(280);
    const read = await env.run({ plan: planOf({ S2: [] }), options: { aggregate: 'none' } });
    expect(read.tasks[0]!.output).toBe(`S2:`.padEnd(600, 'x'));
  });

  it('sends a long goal to its tasks by reference: once in history, in every prompt', async () => {
    outputChars = 20;
    const goal = `Audit every service. ${'Check the handlers, the retries and the logs of each one. '.repeat(60)}`;
    const handle = await env.start({ plan: { ...planOf({ G1: [], G2: [], G3: ['G1', 'G2'] }), goal }, options: { aggregate: 'none' } });
    expect((await handle.result()).status).toBe('Completed');
    for (const id of ['G1', 'G2', 'G3']) expect(env.llm.callsFor(id)[0]!.prompt).toContain(goal.trim());
    const events = (await handle.fetchHistory()).events ?? [];
    const scheduled = events.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes] : []));
    const inputOf = (a: (typeof scheduled)[number]) => Buffer.from(a.input!.payloads![0]!.data!).toString('utf8');
    const tasks = scheduled.filter((a) => a.activityType?.name === 'runTask');
    expect(tasks).toHaveLength(3);
    for (const t of tasks) expect(inputOf(t)).not.toContain('Check the handlers');
    expect(scheduled.filter((a) => a.activityType?.name === 'storePage').map((a) => JSON.parse(inputOf(a)) as { name: string })).toEqual([expect.objectContaining({ name: 'goal' })]);
  });
});
