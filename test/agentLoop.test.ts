// Anthropic tasks with a workspace run as durable agent loops: the scripted model lists files,
// reads one and answers quoting it; tools stay inside the workspace; writes need the run's
// allowance; a worker SIGKILLed mid-loop resumes at the next turn, sending no earlier turn again.
import { Client, Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunResult } from '../src/run/types';
import { withOutputs } from '../src/client/readOutputs';
import { LocalResultStore } from '../src/store/resultStore';
import { statusQuery } from '../src/workflows/messages';
import { knownDurations } from '../src/activities/taskDurations';
import { taskDurationKey } from '../src/plan/taskDurationKey';
import { defaultHandler, sleep, startFakeAnthropic, type FakeAnthropic, type Handler, type RecordedRequest } from './support/fakeAnthropic';
import { cleanEnv, spawnDagent, waitForOutput, type Spawned } from './support/processes';
import { startTestEnv, TEST_API_KEY, type TestEnv } from './support/testEnv';

const QUOTED = 'const retryBudgetMs = 90_000; // the line the agent must quote';
let dir: string;
let repo: string;
let env: TestEnv;
let handler: Handler = defaultHandler;

/** Which turn a task request is: one more than the answers already in its conversation. */
const turnOf = (req: RecordedRequest) => req.body.messages.filter((m) => m.role === 'assistant').length + 1;
/** The text of the latest tool result the model was sent. */
function lastToolResult(req: RecordedRequest): { text: string; isError: boolean } | undefined {
  const last = req.body.messages.at(-1)!;
  if (!Array.isArray(last.content)) return undefined;
  const block = [...(last.content as Array<{ type: string; content?: unknown; is_error?: boolean }>)].reverse().find((b) => b.type === "tool_result");
  return block ? { text: String(block.content), isError: block.is_error === true } : undefined;
}

/** A model that looks before it answers: list_files, then read_file of the first file listed, then a quote. */
const reviewer: Handler = (req) => {
  if (req.kind !== 'task') return defaultHandler(req);
  const turn = turnOf(req);
  if (turn === 1) return { tool: { name: 'list_files', input: { pattern: 'src/**/*.ts' } } };
  if (turn === 2) return { tool: { name: 'read_file', input: { path: lastToolResult(req)!.text.split(' ')[0] } } };
  const line = lastToolResult(req)!.text.split('\n').find((l) => l.includes('retryBudgetMs'))!;
  return { text: `Finding (low): src/llm/retry.ts:2 hard-codes the budget:\n${line.split('\t')[1]}`, usage: { input: 10, output: 5, cacheRead: 900 } };
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dagent-agent-'));
  repo = join(dir, 'repo');
  await mkdir(join(repo, 'src', 'llm'), { recursive: true });
  await writeFile(join(repo, 'src', 'llm', 'retry.ts'), `// retries\n${QUOTED}\n`);
  await writeFile(join(dir, 'outside.txt'), 'not yours\n');
  env = await startTestEnv((req) => handler(req));
});
afterAll(async () => {
  await env?.close();
  await rm(dir, { recursive: true, force: true });
});

/** What `read` gives once it gives anything, within 2 s (the memo is written in the background). */
async function eventually<T>(read: () => Promise<T | undefined>): Promise<T | undefined> {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await sleep(10);
  }
  return undefined;
}

const reviewPlan = { tasks: [{ id: 'REV', title: 'Review retries', prompt: 'Review the retry code.' }] };

describe('the agent loop', () => {
  it('lists, reads and answers quoting a real line; the model saw the file in a tool_result', async () => {
    handler = reviewer;
    const result = await env.run({ plan: reviewPlan, options: { workdir: repo } });
    const task = result.tasks[0]!;
    expect(task.status).toBe('Completed');
    expect(task.output).toContain(QUOTED);
    expect(task.filesRead).toEqual(['src/llm/retry.ts']);
    const calls = env.llm.callsFor('REV');
    expect(calls.map(turnOf)).toEqual([1, 2, 3]);
    expect(calls[0]!.body.tools!.map((t) => t.name)).toEqual(['list_files', 'read_file', 'search']);
    expect(lastToolResult(calls[1]!)!.text).toContain('src/llm/retry.ts (');
    expect(lastToolResult(calls[2]!)!.text).toContain(`     2\t${QUOTED}`);
    // The growing conversation is cached: a breakpoint on its last block each turn; cached tokens reported.
    const lastBlock = (req: RecordedRequest) => (req.body.messages.at(-1)!.content as Array<{ cache_control?: unknown }>).at(-1)!;
    expect(lastBlock(calls[1]!).cache_control).toEqual({ type: 'ephemeral' });
    expect(lastBlock(calls[2]!).cache_control).toEqual({ type: 'ephemeral' });
    expect(task.usage!.cacheReadTokens).toBe(900);
    // Usage is summed over the turns, and the report names the files each task read.
    expect(task.usage!.inputTokens).toBeGreaterThan(10);
    expect(result.report).toContain('## Files read\n- REV · Review retries: src/llm/retry.ts');
    // Its turns are many activities: the run itself adds the agent task's time to the duration memo.
    const key = taskDurationKey(reviewPlan.tasks[0]!, result.options?.model);
    expect(await eventually(async () => (await knownDurations(env.store, { keys: [key] }))[key])).toBe(task.durationMs);
  });

  it('refuses a path outside the workspace as a tool error the model sees, and goes on', async () => {
    handler = (req) => {
      if (req.kind !== 'task') return defaultHandler(req);
      if (turnOf(req) === 1) return { tool: { name: 'read_file', input: { path: '../outside.txt' } } };
      const seen = lastToolResult(req)!;
      return { text: `tool said (error ${seen.isError}): ${seen.text}` };
    };
    const result = await env.run({ plan: reviewPlan, options: { workdir: repo, aggregate: 'plain' } });
    expect(result.tasks[0]!.output).toBe('tool said (error true): ../outside.txt is outside the workspace; paths are relative to the workspace root');
  });

  it('refuses writes unless the run allows them (the model sees "not allowed"), and writes when it does', async () => {
    const target = join(repo, 'NOTES.md');
    handler = (req) => {
      if (req.kind !== 'task') return defaultHandler(req);
      if (turnOf(req) === 1) return { tool: { name: 'write_file', input: { path: 'NOTES.md', content: 'reviewed\n' } } };
      return { text: `write: ${lastToolResult(req)!.text}` };
    };
    const refused = await env.run({ plan: reviewPlan, options: { workdir: repo, aggregate: 'plain' } });
    expect(refused.tasks[0]!.output).toBe('write: write_file is not allowed in this run: the run must allow writes (--allow-writes / allowWrites)');
    expect(existsSync(target)).toBe(false);
    const allowed = await env.run({ plan: reviewPlan, options: { workdir: repo, aggregate: 'plain', allowWrites: true } });
    expect(allowed.tasks[0]!.output).toBe('write: wrote NOTES.md (9 bytes)');
    expect(await readFile(target, 'utf8')).toBe('reviewed\n');
    expect(env.llm.callsFor('REV').at(-1)!.body.tools!.map((t) => t.name)).toContain('write_file');
    await rm(target);
  });

  it('runs a program only when the run allows shell', async () => {
    handler = (req) => {
      if (req.kind !== 'task') return defaultHandler(req);
      if (turnOf(req) === 1) return { tool: { name: 'run_command', input: { argv: ['node', '-e', 'console.log(40 + 2)'] } } };
      return { text: `ran: ${lastToolResult(req)!.text}` };
    };
    const refused = await env.run({ plan: reviewPlan, options: { workdir: repo, aggregate: 'plain' } });
    expect(refused.tasks[0]!.output).toBe('ran: run_command is not allowed in this run: the run must allow shell (--allow-shell / allowShell)');
    const allowed = await env.run({ plan: reviewPlan, options: { workdir: repo, aggregate: 'plain', allowShell: true } });
    expect(allowed.tasks[0]!.output).toBe('ran: exit code 0\n--- output ---\n42\n');
  });

  it('uses a tool of an MCP server the plan declares (a tiny stdio server written with the MCP SDK)', async () => {
    handler = (req) => {
      if (req.kind !== 'task') return defaultHandler(req);
      if (turnOf(req) === 1) return { tool: { name: 'owners__owner', input: { path: 'src/llm/retry.ts' } } };
      return { text: `owner: ${lastToolResult(req)!.text}` };
    };
    const mcpServers = { owners: { command: process.execPath, args: [fileURLToPath(new URL('./fixtures/mcp/ownersServer.mjs', import.meta.url))], env: { OWNERS_TEAM: 'team-retry' } } };
    const result = await env.run({ plan: { ...reviewPlan, mcpServers }, options: { workdir: repo, aggregate: 'plain' } });
    expect(result.tasks[0]!.output).toBe('owner: src/llm/retry.ts is owned by team-retry');
    expect(env.llm.callsFor('REV').at(-1)!.body.tools!.map((t) => t.name)).toEqual(['list_files', 'read_file', 'search', 'owners__owner']);
  });

  it('bounds the loop by maxTurns and by the task\'s token budget: the last turn gets tool_choice none', async () => {
    handler = (req) => {
      if (req.kind !== 'task') return defaultHandler(req);
      const forced = (req.body as { tool_choice?: { type: string } }).tool_choice?.type === 'none';
      return forced ? { text: `answered at turn ${turnOf(req)}` } : { tool: { name: 'list_files', input: {} } };
    };
    const byTurns = await env.run({ plan: { tasks: [{ ...reviewPlan.tasks[0]!, maxTurns: 3 }] }, options: { workdir: repo, aggregate: 'plain' } });
    expect(byTurns.tasks[0]!.output).toBe('answered at turn 3');
    // The test server counts 10 input and 20 output tokens a call: 30 a turn.
    const byBudget = await env.run({ plan: { tasks: [{ ...reviewPlan.tasks[0]!, tokenBudget: 50 }] }, options: { workdir: repo, aggregate: 'plain' } });
    expect(byBudget.tasks[0]!.output).toBe('answered at turn 3');
  });

  it('shows the turn and the current tool call in the live status', async () => {
    handler = async (req) => {
      if (req.kind !== 'task') return defaultHandler(req);
      // Each turn lasts long enough for a poll every 100 ms to see it, even on a loaded machine.
      await sleep(1500);
      if (turnOf(req) === 1) return { tool: { name: 'search', input: { pattern: 'retryBudgetMs' } } };
      return { text: 'done' };
    };
    const handle = await env.start({ plan: reviewPlan, options: { workdir: repo, aggregate: 'plain' } });
    const seen = new Set<string>();
    while (seen.size < 10) {
      const view = await handle.query(statusQuery);
      const activity = view.tasks[0]?.activity;
      if (activity) seen.add(activity);
      if (view.phase !== 'Running' && view.phase !== 'Planning') break;
      await sleep(100);
    }
    await handle.result();
    expect([...seen]).toEqual(expect.arrayContaining(['turn 2 · thinking']));
    expect([...seen].some((a) => a.startsWith('turn 1'))).toBe(true);
  });
});

describe('a worker killed mid-loop', () => {
  let llm: FakeAnthropic;
  let client: Client;
  const workers: Spawned[] = [];
  beforeAll(async () => {
    llm = await startFakeAnthropic(async (req) => {
      if (req.kind !== 'task') return defaultHandler(req);
      const turn = turnOf(req);
      if (turn <= 5) return { tool: { name: 'list_files', input: { pattern: `**/*.${turn}` } } };
      if (turn === 6) await sleep(1500);
      return { text: `answered at turn ${turn}` };
    });
    client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
  });
  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await client?.connection.close();
    await llm?.close();
  });
  const startWorker = (taskQueue: string) => {
    const worker = spawnDagent(['worker', '--address', inject('temporalAddress'), '--task-queue', taskQueue], cleanEnv({ ANTHROPIC_API_KEY: TEST_API_KEY, ANTHROPIC_BASE_URL: llm.url, DAGENT_RESULTS_DIR: join(dir, 'results') }));
    workers.push(worker);
    return worker;
  };

  it('resumes at the turn it was in: turns 1-5 are sent to the model once each', async () => {
    const taskQueue = `agent-crash-${randomUUID()}`;
    const first = startWorker(taskQueue);
    await waitForOutput(first, 'worker polling');
    const handle = await client.workflow.start('orchestrate', { taskQueue, workflowId: `agent-crash-${randomUUID()}`, args: [{ plan: reviewPlan, options: { workdir: repo, heartbeatTimeout: '2s', aggregate: 'plain' } }] });
    while (!llm.callsFor('REV').some((r) => turnOf(r) === 6)) await sleep(50);
    first.child.kill('SIGKILL');
    await first.exited;
    const second = startWorker(taskQueue);
    await waitForOutput(second, 'worker polling');
    const { result } = await withOutputs((await handle.result()) as RunResult, new LocalResultStore(join(dir, 'results')));
    expect(result.tasks[0]!.output).toBe('answered at turn 6');
    const turns = llm.callsFor('REV').map(turnOf);
    for (let turn = 1; turn <= 5; turn++) expect(turns.filter((t) => t === turn), `turn ${turn}`).toHaveLength(1);
    expect(turns.filter((t) => t === 6).length).toBeGreaterThanOrEqual(2);
    second.child.kill('SIGTERM');
    await second.exited;
  });
});
