// Across machines, for real: workers on separate hosts (Linux network namespaces joined by veth
// links), each with its own working directory, environment and PATH, no shared filesystem path
// for results. Host A has only the shell backend and serves the runs; host B has only the (fake)
// `claude` CLI and serves `--queue claude`. Outputs cross between them through S3 (VersityGW);
// Temporal and S3 are reached over the links. Then B is killed mid-task and host C takes over.
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { access, chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../src/run/types';
import { startVersitygw, type Versitygw } from '../src/s3/versitygwServer';
import { keySegment, resultStoreFromEnv } from '../src/store/resultStore';
import { withOutputs } from '../src/client/readOutputs';
import { startDevServer, type DevServer } from '../src/temporal/devServer';
import { createHostNetwork, forwardTcp, hostNetworkUnavailable, type HostNetwork, type NetworkHost } from './support/networkHosts';
import { DAGENT_BIN } from './support/processes';

const unavailable = await hostNetworkUnavailable();
if (unavailable) console.warn(`twoHosts: network namespaces unavailable here (${unavailable}); CI runs this as root`);

const BUCKET = 'dagent-hosts';
const HEARTBEAT = '5s';
/** Answers as `claude -p … --output-format json` does: its own mark after the marks of the work it was given. */
const FAKE_CLAUDE = `#!/bin/sh
prompt="$2"
task=$(printf '%s\\n' "$prompt" | sed -n 's/^## Your task: \\([^ ]*\\) .*/\\1/p' | head -n 1)
echo "$task $HOST_NAME" >> "$CALL_LOG"
case "$prompt" in *"[slow]"*) sleep 8 ;; esac
marks=$(printf '%s' "$prompt" | grep -o '\\[[A-Z]-[0-9]*:[a-z]*@[a-z]*\\]' | tr '\\n' ' ')
printf '{"result":"%s[%s:claude@%s]","usage":{"input_tokens":3,"output_tokens":5}}\\n' "$marks" "$task" "$HOST_NAME"
`;

interface Host {
  host: NetworkHost;
  dir: string;
  env: NodeJS.ProcessEnv;
}

let net: HostNetwork;
let temporal: DevServer;
let temporalOnBridge: Awaited<ReturnType<typeof forwardTcp>>;
let s3: Versitygw;
let client: Client;
let root: string;
const hosts = new Map<string, Host>();
const workers: ChildProcess[] = [];

beforeAll(async () => {
  if (unavailable) return;
  net = await createHostNetwork(['a', 'b', 'c']);
  root = await mkdtemp(join(tmpdir(), 'dagent-hosts-'));
  temporal = await startDevServer({ dbFile: join(root, 'temporal.db'), headless: true, logFile: join(root, 'temporal.log') });
  temporalOnBridge = await forwardTcp(net.serverIp, { host: '127.0.0.1', port: temporal.port });
  s3 = await startVersitygw({ host: net.serverIp, dir: join(root, 's3'), bucket: BUCKET, logFile: join(root, 's3.log') });
  client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
  for (const host of net.hosts) {
    const dir = join(root, host.name);
    const withClaude = host.name !== 'a';
    await mkdir(join(dir, 'bin'), { recursive: true });
    if (withClaude) {
      await writeFile(join(dir, 'bin', 'claude'), FAKE_CLAUDE);
      await chmod(join(dir, 'bin', 'claude'), 0o755);
    }
    // A fresh environment per host: nothing of the test process's, and no path to the others' folders.
    const env: NodeJS.ProcessEnv = {
      PATH: [...(withClaude ? [join(dir, 'bin')] : []), dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
      HOME: dir,
      HOST_NAME: host.name,
      CALL_LOG: join(dir, 'calls.log'),
      DAGENT_SHELL_ENV: 'HOST_NAME,CALL_LOG',
      TEMPORAL_ADDRESS: temporalOnBridge.address,
      DAGENT_STORE: `s3://${BUCKET}/runs`,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ACCESS_KEY_ID: s3.accessKey,
      AWS_SECRET_ACCESS_KEY: s3.secretKey,
      AWS_REGION: 'us-east-1',
    };
    await writeFile(env.CALL_LOG!, '');
    hosts.set(host.name, { host, dir, env });
  }
}, 240_000);

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  await client?.connection.close();
  await s3?.stop();
  await temporalOnBridge?.close();
  await temporal?.stop();
  await net?.remove();
  if (root) await rm(root, { recursive: true, force: true });
});

/** `dagent worker …` on a host; resolves once it polls. */
async function startWorker(name: string, args: string[]): Promise<ChildProcess> {
  const { host, dir, env } = hosts.get(name)!;
  const [command, argv] = net.inHost(host, [process.execPath, DAGENT_BIN, 'worker', ...args]);
  const child = spawn(command, argv, { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
  workers.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 90_000;
  while (!stderr.includes('Ctrl-C stops it')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`worker on host ${name} did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return child;
}

const calls = async (name: string) => (await readFile(hosts.get(name)!.env.CALL_LOG!, 'utf8')).split('\n').filter(Boolean);

/** Two chains of six, each alternating shell (host A) and claude (host B), each task adding its mark to its upstream's output. */
function alternatingPlan(prefix: string) {
  const tasks = [];
  for (let chain = 0; chain < 2; chain++) {
    for (let i = 1; i <= 6; i++) {
      const n = chain * 6 + i;
      const id = `${prefix}-${String(n).padStart(2, '0')}`;
      const dependsOn = i === 1 ? [] : [`${prefix}-${String(n - 1).padStart(2, '0')}`];
      tasks.push(
        i % 2 === 1
          ? { id, title: `shell ${id}`, backend: 'shell', dependsOn, command: `echo "$DAGENT_TASK_ID $HOST_NAME" >> "$CALL_LOG"; echo "${i === 1 ? '' : '{{previous}} '}[$DAGENT_TASK_ID:shell@$HOST_NAME]"` }
          : { id, title: `claude ${id}`, backend: 'claude', queue: 'claude', dependsOn, prompt: 'Add your mark to the marks you were given.' },
      );
    }
  }
  return { tasks };
}

async function runPlan(taskQueue: string, plan: object): Promise<RunResult> {
  const handle = await client.workflow.start('orchestrate', {
    taskQueue,
    workflowId: `hosts-${randomUUID()}`,
    args: [{ plan, options: { aggregate: 'plain', maxParallel: 4, heartbeatTimeout: HEARTBEAT, retryInitialInterval: '200ms' } }],
  });
  // Outputs as a client on any host reads them: from the bucket the workers wrote them to.
  const { result } = await withOutputs((await handle.result()) as RunResult, resultStoreFromEnv({ ...hosts.get('a')!.env }));
  return result;
}

describe.skipIf(unavailable !== undefined)('workers on separate hosts', () => {
  const taskQueue = `hosts-${randomUUID().slice(0, 8)}`;

  it('runs a DAG across two hosts, each doing only what it can, the outputs crossing through S3', async () => {
    await startWorker('a', ['--task-queue', taskQueue]);
    await startWorker('b', ['--task-queue', taskQueue, '--queue', 'claude']);
    const result = await runPlan(taskQueue, alternatingPlan('T'));
    expect(result.status).toBe('Completed');
    expect(result.stats.completed).toBe(12);

    // Each chain's last output carries every mark: shell on A, claude on B, in order.
    const marks = (from: number) => Array.from({ length: 6 }, (_, k) => `[T-${String(from + k).padStart(2, '0')}:${k % 2 === 0 ? 'shell@a' : 'claude@b'}]`).join(' ');
    const byId = new Map(result.tasks.map((t) => [t.id, t]));
    expect(byId.get('T-06')!.output!.replace(/\s+/g, ' ').trim()).toBe(marks(1));
    expect(byId.get('T-12')!.output!.replace(/\s+/g, ' ').trim()).toBe(marks(7));

    // Every output is in the bucket; neither host wrote a local results folder.
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `runs/${keySegment(result.workflowId)}/` }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    for (const t of result.tasks) expect(keys.some((k) => k.endsWith(`/${t.id}.md`)), t.id).toBe(true);
    for (const name of ['a', 'b']) {
      await expect(access(join(hosts.get(name)!.dir, '.dagent'))).rejects.toThrow();
    }
    // Each task ran once, on its own kind of host.
    expect((await calls('a')).sort()).toEqual(['T-01', 'T-03', 'T-05', 'T-07', 'T-09', 'T-11'].map((id) => `${id} a`));
    expect((await calls('b')).sort()).toEqual(['T-02', 'T-04', 'T-06', 'T-08', 'T-10', 'T-12'].map((id) => `${id} b`));
    console.log(`two hosts: makespan ${result.stats.makespanMs} ms for 12 tasks (serial ${result.stats.serialMs} ms)`);
  });

  it('moves the task of a killed host to a replacement within the heartbeat timeout; no finished task runs again', async () => {
    const b = workers[1]!;
    const plan = {
      tasks: [
        { id: 'K-01', title: 'first', backend: 'shell', command: 'echo "$DAGENT_TASK_ID $HOST_NAME" >> "$CALL_LOG"; echo "[K-01:shell@$HOST_NAME]"' },
        { id: 'K-02', title: 'slow', backend: 'claude', queue: 'claude', dependsOn: ['K-01'], prompt: 'Add your mark [slow].' },
        { id: 'K-03', title: 'last', backend: 'shell', dependsOn: ['K-02'], command: 'echo "$DAGENT_TASK_ID $HOST_NAME" >> "$CALL_LOG"; echo "{{previous}} [K-03:shell@$HOST_NAME]"' },
      ],
    };
    const running = runPlan(taskQueue, plan);
    while (!(await calls('b')).includes('K-02 b')) await new Promise((r) => setTimeout(r, 100));
    b.kill('SIGKILL');
    const killedAt = Date.now();
    await startWorker('c', ['--task-queue', taskQueue, '--queue', 'claude']);
    while (!(await calls('c')).includes('K-02 c')) await new Promise((r) => setTimeout(r, 100));
    const handOverMs = Date.now() - killedAt;

    const result = await running;
    expect(result.status).toBe('Completed');
    expect(result.tasks.find((t) => t.id === 'K-02')).toMatchObject({ attempts: 2 });
    expect(result.tasks.find((t) => t.id === 'K-03')!.output!.trim()).toBe('[K-01:shell@a] [K-02:claude@c] [K-03:shell@a]');
    // K-01 and K-03 ran once each; K-02 once on B (killed) and once on C.
    expect((await calls('a')).filter((l) => l.startsWith('K-'))).toEqual(['K-01 a', 'K-03 a']);
    expect((await calls('b')).filter((l) => l.startsWith('K-'))).toEqual(['K-02 b']);
    expect((await calls('c')).filter((l) => l.startsWith('K-'))).toEqual(['K-02 c']);
    // The server gives the task up once its heartbeats stop for HEARTBEAT (5 s); the retry starts 200 ms later.
    expect(handOverMs).toBeLessThan(5_000 + 4_000);
    console.log(`two hosts: killed host's task started on the replacement ${handOverMs} ms after the kill (heartbeat timeout ${HEARTBEAT})`);
  });

  it('gives the same result on one worker that has everything (for the makespan figure)', async () => {
    const single = `single-${randomUUID().slice(0, 8)}`;
    // Host C has the claude CLI and a shell: one worker serving the runs and the claude queue.
    await startWorker('c', ['--task-queue', single, '--queue', 'claude', '--serve-runs']);
    const result = await runPlan(single, alternatingPlan('S'));
    expect(result.status).toBe('Completed');
    const last = result.tasks.find((t) => t.id === 'S-06')!.output!;
    expect(last).toContain('[S-01:shell@c]');
    expect(last).toContain('[S-06:claude@c]');
    console.log(`one worker: makespan ${result.stats.makespanMs} ms for 12 tasks (serial ${result.stats.serialMs} ms)`);
  });
});
