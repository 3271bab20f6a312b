// Maps (forEach): a task that runs once per item, with items listed in the plan, taken from an
// upstream output or found by a glob; items share maxParallel, show up as tasks of their own, and
// their outputs reach the map's dependents in item order; allowFailures decides when the map
// fails; one item can be retried; bad maps are refused before the run starts.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validatePlan, formatProblems } from '../src/plan/validatePlan';
import type { RunResult } from '../src/run/types';
import { retryTaskUpdate, statusQuery } from '../src/workflows/messages';
import { defaultHandler, sleep, type Handler } from './support/fakeAnthropic';
import { startTestEnv, type TestEnv } from './support/testEnv';

let env: TestEnv;
let handler: Handler = defaultHandler;
let dir: string;
beforeAll(async () => {
  env = await startTestEnv((req) => handler(req));
  dir = await mkdtemp(join(tmpdir(), 'dagent-foreach-'));
});
afterAll(async () => {
  await env?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Answers with the line of the task's prompt, so each item's output says which item it had. */
const echo: Handler = (req) => (req.kind === 'task' ? { text: `did: ${/## Your task: [^\n]*\n([^\n]*)/.exec(req.prompt)?.[1] ?? '?'}` } : defaultHandler(req));

describe('forEach', () => {
  it('expands listed items into tasks T[0], T[1], … that share maxParallel; the reduce task gets every output in item order', async () => {
    handler = echo;
    let running = 0;
    let most = 0;
    handler = async (req) => {
      if (req.kind !== 'task' || !req.taskId?.startsWith('EACH[')) return echo(req);
      most = Math.max(most, ++running);
      await sleep(100);
      running--;
      return echo(req);
    };
    const result = await env.run({
      plan: {
        tasks: [
          { id: 'EACH', title: 'Translate', prompt: 'Translate {{item}} (number {{index}}).', forEach: { items: ['apple', 'pear', 'plum', 'fig', 'kiwi'] } },
          { id: 'SUM', title: 'Sum up', prompt: 'Sum up.', dependsOn: ['EACH'] },
        ],
      },
      options: { maxParallel: 2, aggregate: 'plain' },
    });
    expect(result.status).toBe('Completed');
    expect(result.tasks.map((t) => [t.id, t.status])).toEqual([
      ['EACH', 'Completed'],
      ['EACH[0]', 'Completed'],
      ['EACH[1]', 'Completed'],
      ['EACH[2]', 'Completed'],
      ['EACH[3]', 'Completed'],
      ['EACH[4]', 'Completed'],
      ['SUM', 'Completed'],
    ]);
    expect(most).toBe(2);
    expect(result.tasks[3]!.title).toBe('Translate · plum');
    expect(result.tasks[3]!.output).toBe('did: Translate plum (number 2).');
    // The plan stays as written: one map task.
    expect(result.plan.tasks.map((t) => t.id)).toEqual(['EACH', 'SUM']);
    const sumPrompt = env.llm.callsFor('SUM')[0]!.prompt;
    const order = ['apple', 'pear', 'plum', 'fig', 'kiwi'].map((f) => sumPrompt.indexOf(`did: Translate ${f}`));
    expect(order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1]!))).toBe(true);
    expect(result.report).toContain('| EACH[4] | Translate · kiwi | Completed |');
  });

  it('runs a map\'s items with their map\'s place in the critical path', async () => {
    handler = echo;
    // M heads the longest chain (M → X → Y); S stands alone. One slot: M's items go before S.
    const result = await env.run({
      plan: {
        tasks: [
          { id: 'S', title: 'Alone', prompt: 'Alone.' },
          { id: 'M', title: 'Map', prompt: 'Do {{item}}.', forEach: { items: ['a', 'b', 'c'] } },
          { id: 'X', title: 'X', prompt: 'X.', dependsOn: ['M'] },
          { id: 'Y', title: 'Y', prompt: 'Y.', dependsOn: ['X'] },
        ],
      },
      options: { maxParallel: 1, aggregate: 'none' },
    });
    expect(result.status).toBe('Completed');
    const started = (id: string) => result.tasks.find((t) => t.id === id)!.startedAt!;
    expect(Math.max(started('M[0]'), started('M[1]'), started('M[2]'))).toBeLessThan(started('S'));
  });

  it('takes the items from an upstream output: a JSON array, or one item per line', async () => {
    handler = (req) => {
      if (req.taskId === 'LIST') return { text: '```json\n["a.md", "b.md"]\n```' };
      if (req.taskId === 'LINES') return { text: 'first\n\nsecond\nthird\n' };
      return echo(req);
    };
    const result = await env.run({
      plan: {
        tasks: [
          { id: 'LIST', title: 'List', prompt: 'List files.' },
          { id: 'LINES', title: 'Lines', prompt: 'Lines.' },
          { id: 'DOC', title: 'Doc', prompt: 'Read {{item}}.', dependsOn: ['LIST'], forEach: { from: 'LIST' } },
          { id: 'LINE', title: 'Line', prompt: 'Line {{item}}.', dependsOn: ['LINES'], forEach: { from: 'LINES' } },
        ],
      },
      options: { aggregate: 'none' },
    });
    expect(result.status).toBe('Completed');
    expect(result.tasks.filter((t) => t.id.startsWith('DOC[')).map((t) => t.output)).toEqual(['did: Read a.md.', 'did: Read b.md.']);
    expect(result.tasks.filter((t) => t.id.startsWith('LINE[')).map((t) => t.output)).toEqual(['did: Line first.', 'did: Line second.', 'did: Line third.']);
  });

  it('lists the files a glob matches under the workdir, and runs a shell command per file with the item in argv and the environment', async () => {
    await mkdir(join(dir, 'src', 'deep'), { recursive: true });
    for (const f of ['src/a.ts', 'src/deep/b.ts', 'src/c.js', 'README.md']) await writeFile(join(dir, f), f);
    const result = await env.run({
      plan: { tasks: [{ id: 'WC', title: 'Count', backend: 'shell', command: ['sh', '-c', 'echo "$1 $DAGENT_INDEX $DAGENT_ITEM"', 'sh', '{{item}}'], forEach: { glob: 'src/**/*.ts' } }] },
      options: { aggregate: 'none', workdir: dir },
    });
    expect(result.status).toBe('Completed');
    expect(result.tasks.slice(1).map((t) => t.output?.trim())).toEqual(['src/a.ts 0 src/a.ts', 'src/deep/b.ts 1 src/deep/b.ts']);
  });

  it('allowFailures: within it the map completes (failed items listed); beyond it the map fails, and its dependents are skipped', async () => {
    handler = (req) => (req.kind === 'task' && /Check (b|d)/.test(req.prompt) ? { status: 400, errorType: 'invalid_request_error', message: 'no' } : echo(req));
    const plan = (allowFailures: number) => ({
      tasks: [
        { id: 'CHK', title: 'Check', prompt: 'Check {{item}}.', forEach: { items: ['a', 'b', 'c', 'd'], allowFailures } },
        { id: 'AFTER', title: 'After', prompt: 'After.', dependsOn: ['CHK'] },
      ],
    });
    const lenient = await env.run({ plan: plan(0.5), options: { aggregate: 'none' } });
    expect(lenient.status).toBe('Completed');
    expect(lenient.tasks.find((t) => t.id === 'AFTER')!.status).toBe('Completed');
    expect(env.llm.callsFor('AFTER').at(-1)!.prompt).toMatch(/## CHK\[1\]\n\(no output: failed: Anthropic API 400/);

    const strict = await env.run({ plan: plan(1), options: { aggregate: 'none' } });
    expect(strict.status).toBe('Failed');
    const map = strict.tasks.find((t) => t.id === 'CHK')!;
    expect(map.status).toBe('Failed');
    expect(map.error).toMatch(/^2 of 4 items failed \(allowFailures 1\): CHK\[1\]: Anthropic API 400 .*; CHK\[3\]: /);
    expect(strict.tasks.find((t) => t.id === 'AFTER')).toMatchObject({ status: 'Skipped', reason: 'dependency CHK failed' });
  });

  it('retries one item while the map is open; once a map failed, retrying it runs only its items that did not complete', async () => {
    let failing = true;
    handler = async (req) => {
      if (req.kind === 'task' && /Check c/.test(req.prompt)) await sleep(1500);
      return req.kind === 'task' && /Check b/.test(req.prompt) && failing ? { status: 400, errorType: 'invalid_request_error', message: 'no' } : echo(req);
    };
    const itemStatus = async (handle: Awaited<ReturnType<TestEnv['start']>>, id: string) => (await handle.query(statusQuery)).tasks.find((t) => t.id === id)?.status;
    const open = await env.start({ plan: { tasks: [{ id: 'M', title: 'Map', prompt: 'Check {{item}}.', forEach: { items: ['a', 'b', 'c'] } }] }, options: { aggregate: 'none' } });
    for (let i = 0; i < 100 && (await itemStatus(open, 'M[1]')) !== 'Failed'; i++) await sleep(50);
    expect(await itemStatus(open, 'M')).toBe('Running');
    failing = false;
    await open.executeUpdate(retryTaskUpdate, { args: [{ requestId: 'retry-item', taskId: 'M[1]' }] });
    const result = (await open.result()) as RunResult;
    expect(result.tasks.map((t) => [t.id, t.status, t.attempts])).toEqual([['M', 'Completed', 1], ['M[0]', 'Completed', 1], ['M[1]', 'Completed', 2], ['M[2]', 'Completed', 1]]);

    failing = true;
    handler = (req) => (req.kind === 'task' && /Check b/.test(req.prompt) && failing ? { status: 400, errorType: 'invalid_request_error', message: 'no' } : echo(req));
    const held = await env.start({ plan: { tasks: [{ id: 'H', title: 'Map', prompt: 'Check {{item}}.', forEach: { items: ['a', 'b'] } }] }, options: { aggregate: 'none', holdOnFailure: true } });
    for (let i = 0; i < 100 && (await held.query(statusQuery)).phase !== 'Held'; i++) await sleep(50);
    await expect(held.executeUpdate(retryTaskUpdate, { args: [{ requestId: 'retry-ended-item', taskId: 'H[1]' }] })).rejects.toMatchObject({ cause: { message: 'cannot retry H[1]: its map H has ended; retry H (its items that did not complete run again)' } });
    failing = false;
    const callsOfA = env.llm.requests.filter((r) => /Check a/.test(r.prompt) && r.taskId === 'H[0]').length;
    await held.executeUpdate(retryTaskUpdate, { args: [{ requestId: 'retry-map', taskId: 'H' }] });
    const after = (await held.result()) as RunResult;
    expect(after.tasks.map((t) => [t.id, t.status])).toEqual([['H', 'Completed'], ['H[0]', 'Completed'], ['H[1]', 'Completed']]);
    expect(env.llm.requests.filter((r) => /Check a/.test(r.prompt) && r.taskId === 'H[0]').length).toBe(callsOfA);
  });

  it('refuses, before anything runs, a map over the run\'s maxTasks, naming the map and the count', async () => {
    handler = echo;
    const result = await env.run({ plan: { tasks: [{ id: 'BIG', title: 'Big', prompt: 'Do {{item}}.', forEach: { items: Array.from({ length: 30 }, (_, i) => `i${i}`) } }] }, options: { aggregate: 'none', maxTasks: 20 } });
    expect(result.status).toBe('Failed');
    expect(result.tasks).toHaveLength(1);
    expect(result.tasks[0]!.error).toBe('map BIG has 30 items: the run would grow to 31 tasks, over maxTasks 20');
    expect(env.llm.callsFor('BIG[0]')).toHaveLength(0);
    // The plan file's maxTasks counts too; the run's option wins over it.
    const big = (maxTasks?: number) => env.run({ plan: { maxTasks: 10, tasks: [{ id: 'BIG2', title: 'Big', prompt: 'Do {{item}}.', forEach: { items: Array.from({ length: 12 }, (_, i) => `i${i}`) } }] }, options: { aggregate: 'none', ...(maxTasks ? { maxTasks } : {}) } });
    expect((await big()).tasks[0]!.error).toBe('map BIG2 has 12 items: the run would grow to 13 tasks, over maxTasks 10');
    expect((await big(13)).status).toBe('Completed');
  });

  it('validates maps: from must be a dependency, one source only, {{item}} only in maps and never in a shell string', () => {
    const problems = (tasks: unknown[]) => {
      const v = validatePlan({ tasks });
      return v.ok ? '' : formatProblems(v.problems);
    };
    expect(problems([{ id: 'A', title: 'a', prompt: 'p' }, { id: 'B', title: 'b', prompt: '{{item}}', forEach: { from: 'A' } }])).toContain('tasks[1].forEach.from (B): "A" must be one of the task\'s dependencies (dependsOn), since the items are its output');
    expect(problems([{ id: 'B', title: 'b', prompt: '{{item}}', forEach: { items: ['x'], glob: '*.ts' } }])).toContain('give exactly one of items, from and glob');
    expect(problems([{ id: 'B', title: 'b', prompt: 'do {{item}}' }])).toContain('{{item}} is for a task with forEach (it runs once per item)');
    expect(problems([{ id: 'B', title: 'b', backend: 'shell', command: 'wc -l {{item}}', forEach: { items: ['x'] } }])).toContain('{{item}} cannot go into a command run by a shell: use "$DAGENT_ITEM"');
    expect(problems([{ id: 'B', title: 'b', backend: 'shell', command: ['wc', '-l', '{{item}}'], forEach: { items: ['x'] } }])).toBe('');
  });
});

describe('the planner and maps', () => {
  it('is told to write one map for "each file / each document" work, and a goal planned so runs as a map', async () => {
    handler = (req) => {
      if (req.kind === 'decompose') {
        // The scripted planner maps only when its instructions say how.
        const knowsMaps = req.system.includes('forEach') && req.system.includes('{{item}}');
        return {
          tool: {
            name: 'submit_plan',
            input: {
              tasks: knowsMaps
                ? [
                    { id: 'T-01', title: 'List the documents', prompt: 'List the documents to translate, one per line.' },
                    { id: 'T-02', title: 'Translate', prompt: 'Translate {{item}} into French.', dependsOn: ['T-01'], forEach: { from: 'T-01' } },
                  ]
                : [{ id: 'T-01', title: 'Translate one by one', prompt: 'Translate everything.' }],
            },
          },
        };
      }
      if (req.taskId === 'T-01') return { text: 'intro.md\nusage.md\nfaq.md' };
      return echo(req);
    };
    const result = await env.run({ goal: 'Translate each of our three documents into French', options: { aggregate: 'none', planCache: false } });
    expect(result.status).toBe('Completed');
    expect(result.plan.tasks.map((t) => [t.id, t.forEach])).toEqual([['T-01', undefined], ['T-02', { from: 'T-01' }]]);
    expect(result.tasks.filter((t) => t.id.startsWith('T-02[')).map((t) => t.output)).toEqual(['did: Translate intro.md into French.', 'did: Translate usage.md into French.', 'did: Translate faq.md into French.']);
  });
});
