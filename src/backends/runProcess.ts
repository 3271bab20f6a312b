// Runs one process for a task in its own process group: heartbeats while it runs, caps what it
// captures, and on cancellation or timeout kills the whole group, so nothing is left behind.
import { ApplicationFailure, type Context } from '@temporalio/activity';
import { spawn } from 'node:child_process';
import { heartbeatEveryMs } from '../activities/heartbeatInterval';

export const MAX_CAPTURED_BYTES = 10 * 1024 * 1024;
const STDERR_TAIL_BYTES = 4096;
const KILL_GRACE_MS = 2000;

export interface ProcessSpec {
  command: string;
  args: string[];
  cwd?: string;
  env: NodeJS.ProcessEnv;
  /** A name for messages, e.g. "claude" or "shell". */
  label: string;
}

export interface ProcessResult {
  stdout: string;
  stderrTail: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  truncated: boolean;
}

export async function runProcess(ctx: Context, spec: ProcessSpec): Promise<ProcessResult> {
  const child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // The group is already gone.
    }
  };

  const stdout: Buffer[] = [];
  let stdoutBytes = 0;
  let truncated = false;
  let stderrTail = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    if (stdoutBytes >= MAX_CAPTURED_BYTES) {
      truncated = true;
      return;
    }
    const room = MAX_CAPTURED_BYTES - stdoutBytes;
    stdout.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
    stdoutBytes += Math.min(room, chunk.length);
    if (chunk.length > room) truncated = true;
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
  });

  const beat = setInterval(() => ctx.heartbeat({ stdoutBytes }), heartbeatEveryMs(ctx));
  let killTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    killGroup('SIGTERM');
    killTimer = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
  };
  ctx.cancellationSignal.addEventListener('abort', onAbort, { once: true });

  try {
    const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', (err: NodeJS.ErrnoException) => {
        reject(
          err.code === 'ENOENT'
            ? ApplicationFailure.create({ message: `${spec.label}: "${spec.command}" was not found on the worker's PATH`, type: 'BackendMissing', nonRetryable: true })
            : err,
        );
      });
      child.once('close', (code, sig) => resolve([code, sig]));
    });
    if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason ?? new Error('cancelled');
    return { stdout: Buffer.concat(stdout).toString('utf8'), stderrTail, exitCode, signal, truncated };
  } finally {
    clearInterval(beat);
    clearTimeout(killTimer);
    ctx.cancellationSignal.removeEventListener('abort', onAbort);
    // Whatever the task started in the background goes with it.
    killGroup('SIGKILL');
  }
}

/** A failure for a process that exited badly, carrying its exit code and the end of its stderr. */
export function processFailure(label: string, result: ProcessResult, nonRetryable: boolean, attempt: number): ApplicationFailure {
  const how = result.exitCode !== null ? `exited with code ${result.exitCode}` : `was killed by ${result.signal}`;
  const tail = result.stderrTail.trim();
  return ApplicationFailure.create({
    message: `${label} ${how}${tail ? `: ${tail.split('\n').slice(-10).join('\n')}` : ''}`,
    type: 'ProcessFailed',
    nonRetryable,
    details: [{ attempt, exitCode: result.exitCode }],
  });
}
