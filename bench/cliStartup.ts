// How fast the CLI starts, measured on the real binary: `--help` and `validate` against a bare
// `node -e 0`, `dagent run` from launch to its first task's LLM call, and a standalone worker from
// launch to polling.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FakeAnthropic } from '../test/support/fakeAnthropic';
import { median } from './stats';

const DAGENT = fileURLToPath(new URL('../bin/dagent.js', import.meta.url));
const EXAMPLES = fileURLToPath(new URL('../examples/', import.meta.url));

interface Launch {
  started: number;
  exited: Promise<number | null>;
  stderr: () => string;
  kill(signal: NodeJS.Signals): void;
}

function launch(args: string[], env: NodeJS.ProcessEnv, cwd?: string): Launch {
  const started = Date.now();
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { started, exited: new Promise((resolve) => child.once('exit', resolve)), stderr: () => err, kill: (s) => child.kill(s) };
}

async function timed(args: string[], times = 7): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const p = launch(args, {});
    const code = await p.exited;
    if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}: ${p.stderr()}`);
    ms.push(Date.now() - p.started);
  }
  return median(ms);
}

export async function cliStartTimes(): Promise<{ node: number; help: number; validate: number }> {
  const node = await timed(['-e', '0']);
  const help = await timed([DAGENT, '--help']);
  const validate = await timed([DAGENT, 'validate', join(EXAMPLES, 'code-review.yaml')]);
  return { node, help, validate };
}

/** `dagent run --file` (its own worker) from launch until the LLM server sees the first task. */
export async function runToFirstTask(address: string, llm: FakeAnthropic, dir: string, times = 3): Promise<number[]> {
  const plan = join(dir, 'one-task.yaml');
  await writeFile(plan, 'tasks:\n  - id: FIRST\n    prompt: Say hello.\n');
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const before = llm.requests.length;
    const p = launch([DAGENT, 'run', '--file', plan, '--no-aggregate', '--quiet', '--task-queue', `bench-cli-${i}`], {
      TEMPORAL_ADDRESS: address,
      ANTHROPIC_API_KEY: 'bench-key',
      ANTHROPIC_BASE_URL: llm.url,
      DAGENT_RESULTS_DIR: join(dir, 'cli-results'),
    }, dir);
    const code = await p.exited;
    const first = llm.requests.slice(before).find((r) => r.kind === 'task');
    if (code !== 0 || !first) throw new Error(`dagent run exited ${code}: ${p.stderr()}`);
    ms.push(first.receivedAt - p.started);
  }
  return ms;
}

/** `dagent worker` from launch until it says it polls. */
export async function workerStart(address: string, times = 3): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const p = launch([DAGENT, 'worker', '--task-queue', `bench-worker-${i}`], { TEMPORAL_ADDRESS: address, ANTHROPIC_API_KEY: 'bench-key' });
    while (!p.stderr().includes('worker polling')) {
      if (Date.now() - p.started > 60_000) throw new Error(`worker did not start: ${p.stderr()}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    ms.push(Date.now() - p.started);
    p.kill('SIGINT');
    await p.exited;
  }
  return ms;
}
