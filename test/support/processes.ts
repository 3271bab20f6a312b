// Starting the real dagent CLI as a child process, and watching the process table.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const DAGENT_BIN = fileURLToPath(new URL('../../bin/dagent.js', import.meta.url));

export interface Spawned {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

export function spawnDagent(args: string[], env: NodeJS.ProcessEnv, cwd?: string, stdin?: string): Spawned {
  const child = spawn(process.execPath, [DAGENT_BIN, ...args], { env: { ...process.env, ...env }, cwd, stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (stdin !== undefined) child.stdin!.end(stdin);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Runs the CLI to its end: its exit code and what it printed. */
export async function runDagent(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = spawnDagent(args, env);
  const code = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

/** Resolves once the text appears in the process's stderr. */
export async function waitForOutput(p: Spawned, text: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!p.stderr().includes(text)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for "${text}"; stderr so far:\n${p.stderr()}`);
    if (p.child.exitCode !== null) throw new Error(`process exited (${p.child.exitCode}) before "${text}"; stderr:\n${p.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Environment without any inherited Temporal or Anthropic settings, plus the given ones. */
export function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...extra };
  for (const key of ['ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_PROFILE', 'TEMPORAL_CONFIG_FILE', 'TEMPORAL_API_KEY', 'DAGENT_MODEL']) {
    if (!(key in extra)) env[key] = '';
  }
  return env;
}
