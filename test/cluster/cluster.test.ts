// dagent on a real Temporal cluster: PostgreSQL 15 with Temporal's schemas, and the frontend,
// history, matching and worker services as four processes of the v1.32.1 server. A runs worker
// and a skill worker (`--queue claude`, the only one with the claude CLI) run a 12-task DAG
// alternating shell and claude tasks; a goal is planned and run; `dagent list` finds both runs
// through the search attributes registered on the cluster.
import { Client, Connection } from '@temporalio/client';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTemporalCluster, type TemporalCluster } from '../../src/cluster/temporalCluster';
import type { RunResult } from '../../src/run/types';
import { defaultHandler, startFakeAnthropic, type FakeAnthropic, type Handler } from '../support/fakeAnthropic';
import { cleanEnv, spawnDagent, waitForOutput, type Spawned } from '../support/processes';
import { TEST_API_KEY } from '../support/testEnv';

const FAKE_CLAUDE = `#!/bin/sh
prompt="$2"
task=$(printf '%s\\n' "$prompt" | sed -n 's/^## Your task: \\([^ ]*\\) .*/\\1/p' | head -n 1)
marks=$(printf '%s' "$prompt" | grep -o '\\[T-[0-9]*:[a-z]*\\]' | tr '\\n' ' ')
printf '{"result":"%s[%s:claude]","usage":{"input_tokens":3,"output_tokens":5}}\\n' "$marks" "$task"
`;

const goalPlan = {
  tasks: [
    { id: 'G-01', title: 'Scan', prompt: 'List the modules.' },
    { id: 'G-02', title: 'Review', prompt: 'Review them.', dependsOn: ['G-01'] },
  ],
};
const planner: Handler = (req) => (req.kind === 'decompose' ? { tool: { name: 'submit_plan', input: goalPlan } } : defaultHandler(req));

let cluster: TemporalCluster;
let llm: FakeAnthropic;
let dir: string;
const workers: Spawned[] = [];

const env = (extra: NodeJS.ProcessEnv = {}) =>
  cleanEnv({ TEMPORAL_ADDRESS: cluster.address, TEMPORAL_NAMESPACE: cluster.namespace, DAGENT_STORE: join(dir, 'results'), ANTHROPIC_API_KEY: TEST_API_KEY, ANTHROPIC_BASE_URL: llm.url, ...extra });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dagent-cluster-'));
  cluster = await startTemporalCluster(join(dir, 'cluster'), { namespace: 'dagent', log: (line) => console.log(line) });
  llm = await startFakeAnthropic(planner);
  await mkdir(join(dir, 'bin'));
  await writeFile(join(dir, 'bin', 'claude'), FAKE_CLAUDE);
  await chmod(join(dir, 'bin', 'claude'), 0o755);
});

afterAll(async () => {
  for (const w of workers) {
    w.child.kill('SIGINT');
    await w.exited;
  }
  await llm?.close();
  await cluster?.stop();
  // A cluster that failed to start keeps its folder: the error names a service's log in it.
  if (dir && cluster) await rm(dir, { recursive: true, force: true });
  else if (dir) console.log(`the cluster's logs are kept in ${join(dir, 'cluster')}`);
});

async function worker(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<void> {
  const w = spawnDagent(['worker', ...args], env(extra));
  workers.push(w);
  await waitForOutput(w, 'Ctrl-C stops it', 90_000);
}

describe('on a Temporal cluster (four services on PostgreSQL)', () => {
  it('runs a 12-task DAG across a runs worker and a claude skill worker', async () => {
    // Only the skill worker has the claude CLI on its PATH.
    await worker(['--task-queue', 'cluster']);
    await worker(['--task-queue', 'cluster', '--queue', 'claude'], { PATH: `${join(dir, 'bin')}:${dirname(process.execPath)}:/usr/bin:/bin` });
    const tasks = Array.from({ length: 12 }, (_, i) => {
      const id = `T-${String(i + 1).padStart(2, '0')}`;
      const dependsOn = i === 0 ? [] : [`T-${String(i).padStart(2, '0')}`];
      return i % 2 === 0
        ? { id, title: `shell ${id}`, backend: 'shell', dependsOn, command: i === 0 ? `printf '%s\\n' '[${id}:shell]'` : `printf '%s [${id}:shell]\\n' {{previous}}` }
        : { id, title: `claude ${id}`, backend: 'claude', queue: 'claude', dependsOn, prompt: `Add your mark to: {{tasks.${dependsOn[0]}.output}}` };
    });
    await writeFile(join(dir, 'plan.json'), JSON.stringify({ goal: 'Alternate', tasks }));
    const run = spawnDagent(['run', '--file', join(dir, 'plan.json'), '--no-worker', '--task-queue', 'cluster', '--no-aggregate', '--json'], env());
    expect(await run.exited).toBe(0);
    const result = JSON.parse(run.stdout()) as RunResult;
    expect(result.status).toBe('Completed');
    expect(result.stats.completed).toBe(12);
    const marks = tasks.map((t, i) => `[${t.id}:${i % 2 === 0 ? 'shell' : 'claude'}]`).join(' ');
    expect(result.tasks.at(-1)!.output!.replace(/\s+/g, ' ').trim()).toBe(marks);
  });

  it('plans and runs a goal', async () => {
    const run = spawnDagent(['run', 'Review this project', '--task-queue', 'cluster-goal', '--json'], env());
    expect(await run.exited).toBe(0);
    const result = JSON.parse(run.stdout()) as RunResult;
    expect(result).toMatchObject({ status: 'Completed', goal: 'Review this project', stats: { totalTasks: 2, completed: 2 } });
    expect(result.report).toBeTruthy();
  });

  it('finds the runs by the search attributes registered on the cluster, and dagent list shows them', async () => {
    const client = new Client({ connection: await Connection.connect({ address: cluster.address }), namespace: cluster.namespace });
    try {
      let ids: string[] = [];
      // Visibility is eventually consistent: a closed run shows within a second or two.
      for (let i = 0; i < 40 && ids.length < 2; i++) {
        ids = [];
        for await (const run of client.workflow.list({ query: "DagentStatus = 'Completed' AND DagentProgress = 100" })) ids.push(run.workflowId);
        if (ids.length < 2) await new Promise((r) => setTimeout(r, 250));
      }
      expect(ids.some((id) => id.startsWith('dagent-alternate-'))).toBe(true);
      expect(ids.some((id) => id.startsWith('dagent-review-this-project-'))).toBe(true);
    } finally {
      await client.connection.close();
    }
    const list = spawnDagent(['list', '--status', 'completed'], env());
    expect(await list.exited).toBe(0);
    expect(list.stdout()).toMatch(/dagent-alternate-\w+\s+COMPLETED/);
    expect(list.stdout()).toMatch(/dagent-review-this-project-\w+\s+COMPLETED/);
  });
});
