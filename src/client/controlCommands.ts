// Commands on runs that already exist: status (and --watch), approve, reject, patch, retry,
// skip, cancel, list, result, graph. Each is a thin client of a query or an update.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { readPlanData } from '../plan/readPlanFile';
import { formatDuration } from '../text/formatDuration';
import { PlanPatchSchema } from '../plan/planPatch';
import { mermaidDag, mermaidGantt } from '../report/mermaid';
import { statusViewOf, type AuditEntry, type RunResult, type RunStatusView } from '../run/types';
import { connectClient, resolveTemporal } from '../temporal/connect';
import { DagentStatus } from '../run/searchAttributes';
import {
  approveUpdate,
  cancelTaskUpdate,
  patchPlanUpdate,
  rejectUpdate,
  releaseUpdate,
  retryTaskUpdate,
  skipTaskUpdate,
  statusQuery,
} from '../workflows/messages';
import { CliError, EXIT, exitCodeOf } from './exitCodes';
import { printResult, summaryLine, type PrintFlags } from './printResult';
import { ProgressView, renderTable } from './progress';
import { markWorkerWaits } from './workerWaits';
import { updateAcrossHandOver } from './updateAcrossHandOver';
import { dagentSettings } from '../settings/dagentSettings';
import { logLine, type ConnectionFlags } from './shared';

type Flags = Omit<ConnectionFlags, 'taskQueue'>;

const WATCH_STEP_DEADLINE_MS = 5000;
export const DEFAULT_RECONNECT_TIMEOUT_MS = 60_000;

async function withClient<T>(flags: Flags, use: (client: Client) => Promise<T>, connectTimeoutMs?: number): Promise<T> {
  const target = await resolveTemporal({ address: flags.address, namespace: flags.namespace, profile: flags.profile, autoStart: false, log: logLine });
  const client = await connectClient(target, connectTimeoutMs);
  try {
    return await use(client);
  } finally {
    await client.connection.close();
  }
}

/** A command on one run: a run that is not there is a usage error (exit 2) that names it. */
async function onRun<T>(client: Client, workflowId: string, use: (handle: WorkflowHandle) => Promise<T>): Promise<T> {
  try {
    return await use(client.workflow.getHandle(workflowId));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw await notFound(client, workflowId);
    throw err;
  }
}

/**
 * Temporal answers NOT_FOUND both for a run that never existed and for an update or a cancel
 * sent to a run that has ended ("workflow execution already completed"); describe tells which.
 */
async function notFound(client: Client, workflowId: string): Promise<CliError> {
  try {
    const { status } = await client.workflow.getHandle(workflowId).describe();
    return new CliError(`refused: run ${workflowId} has already ended (${status.name}); the run is unchanged`, EXIT.usage);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return new CliError(`no run ${workflowId}`, EXIT.usage);
    throw err;
  }
}

/** The live table of a running run (a query), or the final one of a closed run (its result, no worker needed). */
async function currentView(client: Client, handle: WorkflowHandle): Promise<{ view: RunStatusView; result?: RunResult }> {
  const description = await handle.describe();
  if (description.status.name === 'RUNNING') return { view: await markWorkerWaits(client, handle, await handle.query(statusQuery), dagentSettings().workerWaitMs, Date.now(), description) };
  const result = (await handle.result()) as RunResult;
  return { view: statusViewOf(result, description.startTime.getTime()), result };
}

export async function statusCommand(workflowId: string, flags: Flags & { watch?: boolean; json?: boolean; reconnectTimeout?: number }): Promise<number> {
  if (!flags.watch) {
    return withClient(flags, (client) =>
      onRun(client, workflowId, async (handle) => {
        const { view } = await currentView(client, handle);
        process.stdout.write(flags.json ? `${JSON.stringify(view, null, 2)}\n` : `${renderTable(view, Date.now()).join('\n')}\n`);
        return EXIT.ok;
      }),
    );
  }
  // Watching survives a server restart or a network cut: it reconnects and keeps rendering, for
  // up to --reconnect-timeout without contact; then it gives up (exit 4) instead of hanging on.
  const reconnectMs = flags.reconnectTimeout ?? DEFAULT_RECONNECT_TIMEOUT_MS;
  const progress = new ProgressView(process.stdout);
  let warned = false;
  let lastContact = Date.now();
  for (;;) {
    try {
      // Connecting may not outlast the deadline either (a connect attempt alone takes up to 5 s).
      const connectMs = Math.min(5000, Math.max(500, lastContact + reconnectMs - Date.now()));
      const done = await withClient(
        flags,
        (client) =>
          onRun(client, workflowId, async (handle) => {
            for (;;) {
              // A deadline per step: when the server goes away the watcher says so within seconds
              // instead of waiting inside the client's own retries.
              const { view, result } = await client.withDeadline(Date.now() + WATCH_STEP_DEADLINE_MS, () => currentView(client, handle));
              progress.update(view);
              lastContact = Date.now();
              warned = false;
              if (result) {
                process.stdout.write(`${summaryLine(result.stats)}\n`);
                return exitCodeOf(result);
              }
              await new Promise((r) => setTimeout(r, 1000));
            }
          }),
        connectMs,
      );
      return done;
    } catch (err) {
      if (err instanceof CliError) throw err;
      const reason = (err as Error).message.split('\n')[0];
      if (Date.now() - lastContact >= reconnectMs) {
        throw new CliError(
          `gave up watching ${workflowId}: no answer from Temporal for ${formatDuration(reconnectMs)} (--reconnect-timeout); last error: ${reason}`,
          EXIT.temporalUnreachable,
        );
      }
      if (!warned) logLine(`dagent: lost the connection (${reason}); reconnecting for up to ${formatDuration(reconnectMs)}…`);
      warned = true;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

interface ControlFlags extends Flags {
  task?: string;
  reason?: string;
  requestId?: string;
  json?: boolean;
}

async function sendUpdate(
  workflowId: string,
  flags: ControlFlags,
  action: AuditEntry['action'],
  send: (handle: WorkflowHandle, requestId: string) => Promise<RunStatusView>,
): Promise<number> {
  return withClient(flags, (client) =>
    onRun(client, workflowId, async () => {
      const requestId = flags.requestId ?? randomUUID();
      try {
        const view = await updateAcrossHandOver(client, workflowId, (handle) => send(handle, requestId));
        // The server answers a repeated update id with the first answer, whatever this one asked.
        const entry = view.audit.find((a) => a.requestId === requestId);
        if (entry && (entry.action !== action || entry.taskId !== flags.task)) {
          const earlier = `${entry.action}${entry.taskId ? ` ${entry.taskId}` : ''}`;
          throw new CliError(`refused: request id ${requestId} was already used in this run for "${earlier}"; send this ${action} with a new --request-id (the run is unchanged)`, EXIT.usage);
        }
        if (flags.json) process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
        else process.stdout.write(`${entry ? entry.effect : 'done'} (request ${requestId})\n${renderTable(view, Date.now()).join('\n')}\n`);
        return EXIT.ok;
      } catch (err) {
        // The failure's own message is the validator's plain reason; other renderings of the
        // failure (the temporal CLI's) append "(type: ControlError, retryable: true)".
        if (err instanceof WorkflowUpdateFailedError) throw new CliError(`refused: ${err.cause?.message ?? err.message}; the run is unchanged`, EXIT.usage);
        throw err;
      }
    }),
  );
}

const optional = (flags: ControlFlags) => ({ ...(flags.task ? { taskId: flags.task } : {}), ...(flags.reason ? { reason: flags.reason } : {}) });

export const approveCommand = (id: string, flags: ControlFlags) =>
  sendUpdate(id, flags, 'approve', (h, requestId) => h.executeUpdate(approveUpdate, { args: [{ requestId, ...optional(flags) }], updateId: requestId }));

export const rejectCommand = (id: string, flags: ControlFlags) =>
  sendUpdate(id, flags, 'reject', (h, requestId) => h.executeUpdate(rejectUpdate, { args: [{ requestId, ...optional(flags) }], updateId: requestId }));

export const releaseCommand = (id: string, flags: ControlFlags) =>
  sendUpdate(id, flags, 'release', (h, requestId) => h.executeUpdate(releaseUpdate, { args: [{ requestId, ...(flags.reason ? { reason: flags.reason } : {}) }], updateId: requestId }));

export const skipCommand = (id: string, flags: ControlFlags & { task: string }) =>
  sendUpdate(id, flags, 'skip', (h, requestId) => h.executeUpdate(skipTaskUpdate, { args: [{ requestId, taskId: flags.task, ...optional(flags) }], updateId: requestId }));

export const retryCommand = (id: string, flags: ControlFlags & { task: string; prompt?: string }) =>
  sendUpdate(id, flags, 'retry', (h, requestId) =>
    h.executeUpdate(retryTaskUpdate, { args: [{ requestId, taskId: flags.task, ...(flags.prompt ? { prompt: flags.prompt } : {}), ...optional(flags) }], updateId: requestId }),
  );

export async function patchCommand(id: string, flags: ControlFlags & { file: string }): Promise<number> {
  const parsed = PlanPatchSchema.safeParse(await readPlanData(flags.file));
  if (!parsed.success) {
    throw new CliError(`invalid patch file\n${parsed.error.issues.map((i) => `  ${flags.file}: ${i.path.join('.') || '(file)'}: ${i.message}`).join('\n')}`, EXIT.usage);
  }
  return sendUpdate(id, flags, 'patch', (h, requestId) => h.executeUpdate(patchPlanUpdate, { args: [{ requestId, patch: parsed.data, ...optional(flags) }], updateId: requestId }));
}

/** With --task, cancels one task; without, the whole run (its report is still written). */
export async function cancelCommand(id: string, flags: ControlFlags): Promise<number> {
  if (flags.task) {
    return sendUpdate(id, flags, 'cancel', (h, requestId) => h.executeUpdate(cancelTaskUpdate, { args: [{ requestId, taskId: flags.task!, ...optional(flags) }], updateId: requestId }));
  }
  return withClient(flags, (client) =>
    onRun(client, id, async (handle) => {
      // The server accepts a cancel request for a run that has ended, and nothing happens.
      const { status } = await handle.describe();
      if (status.name !== 'RUNNING') throw new CliError(`refused: run ${id} has already ended (${status.name}); the run is unchanged`, EXIT.usage);
      await handle.cancel();
      process.stdout.write(`cancellation requested for ${id}: running tasks stop, the report is written from what finished\n`);
      return EXIT.ok;
    }),
  );
}

const LIST_STATUSES: Record<string, string> = { running: 'Running', completed: 'Completed', failed: 'Failed', cancelled: 'Canceled', terminated: 'Terminated', timedout: 'TimedOut' };

/**
 * `--status held` finds runs held on a failure through the DagentStatus search attribute, which
 * runs publish when the server has it registered (the dev servers dagent starts do); the PHASE
 * column shows it too (empty where the server has no such attribute).
 */
export async function listCommand(flags: Flags & { status?: string; limit: number }): Promise<number> {
  let query = "WorkflowType = 'orchestrate'";
  if (flags.status?.toLowerCase() === 'held') query += " AND ExecutionStatus = 'Running' AND DagentStatus = 'Held'";
  else if (flags.status) {
    const status = LIST_STATUSES[flags.status.toLowerCase()];
    if (!status) throw new CliError(`--status must be one of ${[...Object.keys(LIST_STATUSES), 'held'].join(', ')}`, EXIT.usage);
    query += ` AND ExecutionStatus = '${status}'`;
  }
  return withClient(flags, async (client) => {
    const rows = [['WORKFLOW ID', 'STATUS', 'PHASE', 'STARTED']];
    for await (const run of client.workflow.list({ query })) {
      rows.push([run.workflowId, run.status.name, run.typedSearchAttributes.get(DagentStatus) ?? '', run.startTime.toISOString()]);
      if (rows.length > flags.limit) break;
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    process.stdout.write(`${rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n')}\n`);
    return EXIT.ok;
  });
}

export async function resultCommand(id: string, flags: Flags & PrintFlags): Promise<number> {
  return withClient(flags, (client) =>
    onRun(client, id, async (handle) => {
      const result = (await handle.result()) as RunResult;
      await printResult(result, flags);
      return exitCodeOf(result);
    }),
  );
}

export async function graphCommand(id: string, flags: Flags): Promise<number> {
  return withClient(flags, (client) =>
    onRun(client, id, async (handle) => {
      const { view } = await currentView(client, handle);
      process.stdout.write(`\`\`\`mermaid\n${mermaidDag(view.tasks)}\n\`\`\`\n\n\`\`\`mermaid\n${mermaidGantt(view.tasks)}\n\`\`\`\n`);
      return EXIT.ok;
    }),
  );
}
