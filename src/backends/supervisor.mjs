// The process supervisor: runProcess starts this script (plain JavaScript, no dependencies, so
// node starts it in tens of milliseconds) instead of a task's command, and it runs the command
// so that nothing the command started outlives the task:
// - stdin is a pipe from the worker. Its first line is the job as JSON: { command, args, cwd,
//   env, tag, graceMs }. Later lines are orders: "TERM" stops the tree gracefully (SIGTERM, then
//   SIGKILL after graceMs). When stdin closes, the worker is done or dead (a SIGKILLed worker
//   closes it too), and the tree is killed at once.
// - stdout and stderr are the worker's pipes, inherited by the command: the worker reads them
//   directly.
// - fd 3 carries one JSON line when the supervisor is done: { exitCode, signal } of the command,
//   or { error: { code, message } } when it could not be started.
// - When the command exits by itself, whatever it left behind (background jobs) is killed.
//
// "The tree" is found in /proc (Linux): every live process whose environment carries
// DAGENT_PROCESS_TAG=<tag> (set on the command, inherited by its descendants: this finds
// processes that left the process group with setsid or double-forked away from their parent),
// every descendant of this supervisor by parent pid, and every member of this supervisor's
// process group (runProcess starts it detached, so the group id is its pid). Never the
// supervisor itself.
// Limit: a process that both leaves the group/session AND clears or replaces its environment
// (and whose parent is already gone) cannot be found; only a cgroup would hold it. Processes of
// another user (setuid programs) cannot be read and are not found by tag either.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeSync } from 'node:fs';

const TAG_VARIABLE = 'DAGENT_PROCESS_TAG';
const REPORT_FD = 3;
const POLL_MS = 50;
/** A SIGKILLed process takes a moment to leave /proc; rescans are bounded so a process stuck in the kernel cannot hold us forever. */
const MAX_KILL_ROUNDS = 100;
const ROUND_PAUSE_MS = 10;

const self = process.pid;
let job;
let child;
/** { exitCode, signal } once the command has exited. */
let commandExit;
/** undefined while the command runs its course; 'term' after a TERM order; 'kill' once the worker is gone. */
let stopping;
let graceOver = false;
let finished = false;

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  input += chunk;
  let newline;
  while ((newline = input.indexOf('\n')) >= 0) {
    const line = input.slice(0, newline).trim();
    input = input.slice(newline + 1);
    if (!job) start(JSON.parse(line));
    else if (line === 'TERM') terminate();
  }
});
process.stdin.on('end', workerGone);
process.stdin.on('error', workerGone);
// Someone signalling our group (or us) gets the same graceful stop as a TERM order, rather than
// the supervisor dying and leaving the processes that left the group behind.
process.on('SIGTERM', terminate);
process.on('SIGINT', terminate);

function start(spec) {
  job = spec;
  child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: { ...spec.env, [TAG_VARIABLE]: spec.tag },
    // The command must not read our orders: its stdin is /dev/null, as before supervision.
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.once('error', (err) => {
    // Only a failed start matters here: we never signal the child through the ChildProcess object.
    if (child.pid === undefined) finish({ error: { code: err.code, message: err.message } });
  });
  child.once('exit', (exitCode, signal) => {
    commandExit = { exitCode, signal };
    settle();
  });
}

function terminate() {
  if (stopping || !job) return;
  stopping = 'term';
  for (const pid of liveTree()) signal(pid, 'SIGTERM');
  setTimeout(() => {
    graceOver = true;
    settle(true);
  }, job.graceMs).unref();
  setInterval(settle, POLL_MS);
}

function workerGone() {
  if (!job) process.exit(0);
  stopping = 'kill';
  settle(true);
}

/** Moves towards the end: waits for the command, lets SIGTERMed leftovers use their grace, then kills and reports. */
function settle(killNow = false) {
  if (finished) return;
  if (killNow) killTree();
  if (!commandExit) return;
  if (stopping === 'term' && !graceOver && liveTree().length > 0) return;
  killTree();
  finish(commandExit);
}

function finish(report) {
  if (finished) return;
  finished = true;
  try {
    writeSync(REPORT_FD, `${JSON.stringify(report)}\n`);
  } catch {
    // The worker is gone; nobody is waiting for the report.
  }
  process.exit(0);
}

/** SIGKILLs the tree, scanning again until a scan finds nothing, to catch processes forked meanwhile. */
function killTree() {
  for (let round = 0; round < MAX_KILL_ROUNDS; round++) {
    const tree = liveTree();
    if (tree.length === 0) return;
    for (const pid of tree) signal(pid, 'SIGKILL');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ROUND_PAUSE_MS);
  }
}

function signal(pid, name) {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** The live (not zombie) processes of the tree, from one scan of /proc. */
function liveTree() {
  const tagBytes = Buffer.from(`${TAG_VARIABLE}=${job.tag}\0`);
  const procs = new Map();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === self) continue;
    const info = readStat(pid);
    if (info) procs.set(pid, info);
  }
  const tree = new Set();
  for (const [pid, info] of procs) {
    if (info.pgrp === self || hasTag(pid, tagBytes)) tree.add(pid);
  }
  const children = new Map();
  for (const [pid, info] of procs) children.set(info.ppid, [...(children.get(info.ppid) ?? []), pid]);
  const queue = [self, ...tree];
  while (queue.length > 0) {
    for (const kid of children.get(queue.pop()) ?? []) {
      if (tree.has(kid)) continue;
      tree.add(kid);
      queue.push(kid);
    }
  }
  return [...tree].filter((pid) => !'ZX'.includes(procs.get(pid).state));
}

function readStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name sits in parentheses and may hold spaces or parentheses itself.
    const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state, ppid: Number(ppid), pgrp: Number(pgrp) };
  } catch {
    return undefined;
  }
}

function hasTag(pid, tagBytes) {
  try {
    // The tag is random, so a plain search of the NUL-separated list cannot match by accident.
    return readFileSync(`/proc/${pid}/environ`).includes(tagBytes);
  } catch {
    return false;
  }
}
