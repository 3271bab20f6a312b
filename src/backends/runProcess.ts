// Runs one process for a task under a supervisor (supervisor.mjs): heartbeats while it runs, caps
// what it captures, and makes sure nothing the task started outlives it: on cancellation or
// timeout the supervisor stops the whole tree (SIGTERM, then SIGKILL after KILL_GRACE_MS), when
// the command finishes it kills what was left in the background, and when this worker dies (even
// by SIGKILL) the supervisor sees its stdin close and kills the tree, so a retry on another
// worker never runs next to a stale copy. The supervisor's limits are described in its header.
import { ApplicationFailure, type Context } from '@temporalio/activity';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { heartbeatEveryMs } from '../temporal/heartbeatInterval';

export const MAX_CAPTURED_BYTES = 10 * 1024 * 1024;
const STDERR_TAIL_BYTES = 4096;
const KILL_GRACE_MS = 2000;
/**
 * Once the supervisor has exited, the tree is dead and the pipes hold at most what the last
 * writes left in them. Only a process the supervisor could not find (see its limits) keeps them
 * open; the task does not wait for it longer than this.
 */
const OUTPUT_DRAIN_MS = 5000;
const SUPERVISOR = fileURLToPath(new URL('./supervisor.mjs', import.meta.url));

export interface ProcessSpec {
  command: string;
  args: string[];
  cwd?: string;
  env: NodeJS.ProcessEnv;
  /** A name for messages, e.g. "claude" or "shell". */
  label: string;
}

export interface ProcessResult {
  /** What the process printed, up to MAX_CAPTURED_BYTES; when cut, it ends with a marker line that says so. */
  stdout: string;
  stderrTail: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  truncated: boolean;
}

/** What the supervisor reports on fd 3 when it is done. */
type SupervisorReport = { exitCode: number | null; signal: NodeJS.Signals | null } | { error: { code?: string; message: string } };

export async function runProcess(ctx: Context, spec: ProcessSpec): Promise<ProcessResult> {
  const supervisor = spawn(process.execPath, [SUPERVISOR, spec.label], {
    // The supervisor needs no environment (the command's goes through stdin); an empty one also
    // keeps the worker's NODE_OPTIONS (loaders) from slowing its start. A tag the worker itself
    // was started under is kept, so a dagent running inside a task is part of that task's tree.
    env: process.env.DAGENT_PROCESS_TAG ? { DAGENT_PROCESS_TAG: process.env.DAGENT_PROCESS_TAG } : {},
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
  // Writes fail only once the supervisor is gone, and then it has already done its work.
  supervisor.stdin!.on('error', () => {});
  supervisor.stdin!.write(`${JSON.stringify({ command: spec.command, args: spec.args, cwd: spec.cwd, env: spec.env, tag: randomUUID(), graceMs: KILL_GRACE_MS })}\n`);
  const report = readAll(supervisor.stdio[3] as Readable);

  const capture = captureStdout(supervisor.stdout!);
  let stderrTail = '';
  supervisor.stderr!.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
  });

  const beat = setInterval(() => ctx.heartbeat({ stdoutBytes: capture.bytes() }), heartbeatEveryMs(ctx));
  const onAbort = () => supervisor.stdin!.write('TERM\n');
  ctx.cancellationSignal.addEventListener('abort', onAbort, { once: true });
  const closed = new Promise<void>((resolve) => supervisor.once('close', () => resolve()));

  try {
    const [, supervisorSignal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      supervisor.once('error', reject);
      supervisor.once('exit', (code, sig) => resolve([code, sig]));
    });
    const outcome = parseReport(await report);
    if (!outcome) {
      // The supervisor itself was killed: its process group (the command and what stayed in the
      // group) goes with it, the task fails and may be retried.
      killGroup(supervisor.pid);
      throw new Error(`${spec.label}: the process supervisor died${supervisorSignal ? ` (${supervisorSignal})` : ''} before the command finished`);
    }
    await drained(closed);
    if ('error' in outcome) throw spawnFailure(spec, outcome.error);
    if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason ?? new Error('cancelled');
    return { stdout: capture.text(), stderrTail, exitCode: outcome.exitCode, signal: outcome.signal, truncated: capture.truncated() };
  } finally {
    clearInterval(beat);
    ctx.cancellationSignal.removeEventListener('abort', onAbort);
    // If the supervisor still runs (this function failed early), a closed stdin makes it kill the tree.
    supervisor.stdin!.end();
    supervisor.stdout!.destroy();
    supervisor.stderr!.destroy();
  }
}

/** Keeps the first MAX_CAPTURED_BYTES of a stream and counts the rest, for the marker of a cut output. */
function captureStdout(stream: Readable) {
  const chunks: Buffer[] = [];
  let kept = 0;
  let dropped = 0;
  let complete = false;
  stream.on('data', (chunk: Buffer) => {
    const room = MAX_CAPTURED_BYTES - kept;
    if (room > 0) {
      chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
      kept += Math.min(room, chunk.length);
    }
    dropped += Math.max(0, chunk.length - Math.max(room, 0));
  });
  stream.once('end', () => (complete = true));
  return {
    bytes: () => kept,
    truncated: () => dropped > 0,
    text: () => {
      const text = Buffer.concat(chunks).toString('utf8');
      return dropped > 0 ? `${text}${text.endsWith('\n') ? '' : '\n'}${cutMarker(complete ? dropped : undefined)}\n` : text;
    },
  };
}

/** The line that ends an output cut at the capture cap; without a count when the rest was never read to its end. */
export function cutMarker(droppedBytes: number | undefined): string {
  const cap = `${MAX_CAPTURED_BYTES / (1024 * 1024)} MB`;
  return droppedBytes === undefined
    ? `[output cut at ${cap}: the process printed more than ${cap}]`
    : `[output cut at ${cap}: the process printed ${droppedBytes} more bytes]`;
}

function parseReport(text: string): SupervisorReport | undefined {
  try {
    return JSON.parse(text) as SupervisorReport;
  } catch {
    return undefined;
  }
}

function spawnFailure(spec: ProcessSpec, error: { code?: string; message: string }): Error {
  if (error.code === 'ENOENT') {
    return ApplicationFailure.create({ message: `${spec.label}: "${spec.command}" was not found on the worker's PATH`, type: 'BackendMissing', nonRetryable: true });
  }
  return Object.assign(new Error(error.message), { code: error.code });
}

function readAll(stream: Readable): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (text += chunk));
    stream.once('close', () => resolve(text));
  });
}

/** Waits until the output pipes are closed, or OUTPUT_DRAIN_MS at most. */
async function drained(closed: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, OUTPUT_DRAIN_MS)))]);
  clearTimeout(timer);
}

function killGroup(pid: number | undefined): void {
  try {
    if (pid) process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone.
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
