// Commands on runs that already exist: status (and --watch), approve, reject, patch, retry,
// skip, cancel, list, result, graph. Each is a thin client of a query or an update.
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { readPlanData } from '../plan/readPlanFile';
import { PlanPatchSchema } from '../run/controlRequests';
import { mermaidDag, mermaidGantt } from '../report/mermaid';
import { statusViewOf, type RunResult, type RunStatusView } from '../run/types';
import { connectClient, resolveTemporal } from '../temporal/connect';
import {
  approveUpdate,
  cancelTaskUpdate,
  patchPlanUpdate,
  rejectUpdate,
  retryTaskUpdate,
  skipTaskUpdate,
  statusQuery,
} from '../workflows/messages';
import { CliError, EXIT } from './exitCodes';
import { printResult, summaryLine, type PrintFlags } from './printResult';
import { ProgressView, renderTable } from './progress';
import { exitCodeOf } from './runCommand';
import { logLine, type ConnectionFlags } from './shared';

type Flags = Omit<ConnectionFlags, 'taskQueue'>;

const WATCH_STEP_DEADLINE_MS = 5000;

async function withClient<T>(flags: Flags, use: (client: Client) => Promise<T>): Promise<T> {
  const target = await resolveTemporal({ address: flags.address, namespace: flags.namespace, autoStart: false, log: logLine });
  const client = await connectClient(target);
  try {
    return await use(client);
  } finally {
    await client.connection.close();
  }
}

/** The live table of a running run (a query), or the final one of a closed run (its result, no worker needed). */
async function currentView(handle: WorkflowHandle): Promise<{ view: RunStatusView; result?: RunResult }> {
  const description = await handle.describe();
  if (description.status.name === 'RUNNING') return { view: await handle.query(statusQuery) };
  const result = (await handle.result()) as RunResult;
  return { view: statusViewOf(result, description.startTime.getTime()), result };
}

export async function statusCommand(workflowId: string, flags: Flags & { watch?: boolean; json?: boolean }): Promise<number> {
  if (!flags.watch) {
    return withClient(flags, async (client) => {
      const { view } = await currentView(client.workflow.getHandle(workflowId));
      process.stdout.write(flags.json ? `${JSON.stringify(view, null, 2)}\n` : `${renderTable(view, Date.now()).join('\n')}\n`);
      return EXIT.ok;
    });
  }
  // Watching survives a server restart or a network cut: it reconnects and keeps rendering.
  const progress = new ProgressView(process.stdout);
  let warned = false;
  for (;;) {
    try {
      const done = await withClient(flags, async (client) => {
        const handle = client.workflow.getHandle(workflowId);
        for (;;) {
          // A deadline per step: when the server goes away the watcher says so within seconds
          // instead of waiting inside the client's own retries.
          const { view, result } = await client.withDeadline(Date.now() + WATCH_STEP_DEADLINE_MS, () => currentView(handle));
          progress.update(view);
          warned = false;
          if (result) {
            process.stdout.write(`${summaryLine(result.stats)}\n`);
            return exitCodeOf(result);
          }
          await new Promise((r) => setTimeout(r, 1000));
        }
      });
      return done;
    } catch (err) {
      if ((err as { name?: string }).name === 'WorkflowNotFoundError') throw new CliError(`no run ${workflowId}`, EXIT.usage);
      if (!warned) logLine(`dagent: lost the connection (${(err as Error).message.split('\n')[0]}); reconnecting…`);
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

async function sendUpdate(workflowId: string, flags: ControlFlags, send: (handle: WorkflowHandle, requestId: string) => Promise<RunStatusView>): Promise<number> {
  return withClient(flags, async (client) => {
    const requestId = flags.requestId ?? randomUUID();
    try {
      const view = await send(client.workflow.getHandle(workflowId), requestId);
      const last = view.audit.at(-1);
      if (flags.json) process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
      else process.stdout.write(`${last?.requestId === requestId ? last.effect : 'done'} (request ${requestId})\n${renderTable(view, Date.now()).join('\n')}\n`);
      return EXIT.ok;
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw new CliError(`refused: ${err.cause?.message ?? err.message}; the run is unchanged`, EXIT.usage);
      throw err;
    }
  });
}

const optional = (flags: ControlFlags) => ({ ...(flags.task ? { taskId: flags.task } : {}), ...(flags.reason ? { reason: flags.reason } : {}) });

export const approveCommand = (id: string, flags: ControlFlags) =>
  sendUpdate(id, flags, (h, requestId) => h.executeUpdate(approveUpdate, { args: [{ requestId, ...optional(flags) }], updateId: requestId }));

export const rejectCommand = (id: string, flags: ControlFlags) =>
  sendUpdate(id, flags, (h, requestId) => h.executeUpdate(rejectUpdate, { args: [{ requestId, ...optional(flags) }], updateId: requestId }));

export const skipCommand = (id: string, flags: ControlFlags & { task: string }) =>
  sendUpdate(id, flags, (h, requestId) => h.executeUpdate(skipTaskUpdate, { args: [{ requestId, taskId: flags.task, ...optional(flags) }], updateId: requestId }));

export const retryCommand = (id: string, flags: ControlFlags & { task: string; prompt?: string }) =>
  sendUpdate(id, flags, (h, requestId) =>
    h.executeUpdate(retryTaskUpdate, { args: [{ requestId, taskId: flags.task, ...(flags.prompt ? { prompt: flags.prompt } : {}), ...optional(flags) }], updateId: requestId }),
  );

export async function patchCommand(id: string, flags: ControlFlags & { file: string }): Promise<number> {
  const parsed = PlanPatchSchema.safeParse(await readPlanData(flags.file));
  if (!parsed.success) {
    throw new CliError(`invalid patch file\n${parsed.error.issues.map((i) => `  ${flags.file}: ${i.path.join('.') || '(file)'}: ${i.message}`).join('\n')}`, EXIT.usage);
  }
  return sendUpdate(id, flags, (h, requestId) => h.executeUpdate(patchPlanUpdate, { args: [{ requestId, patch: parsed.data, ...optional(flags) }], updateId: requestId }));
}

/** With --task, cancels one task; without, the whole run (its report is still written). */
export async function cancelCommand(id: string, flags: ControlFlags): Promise<number> {
  if (flags.task) {
    return sendUpdate(id, flags, (h, requestId) => h.executeUpdate(cancelTaskUpdate, { args: [{ requestId, taskId: flags.task!, ...optional(flags) }], updateId: requestId }));
  }
  return withClient(flags, async (client) => {
    await client.workflow.getHandle(id).cancel();
    process.stdout.write(`cancellation requested for ${id}: running tasks stop, the report is written from what finished\n`);
    return EXIT.ok;
  });
}

const LIST_STATUSES: Record<string, string> = { running: 'Running', completed: 'Completed', failed: 'Failed', cancelled: 'Canceled', terminated: 'Terminated', timedout: 'TimedOut' };

export async function listCommand(flags: Flags & { status?: string; limit: number }): Promise<number> {
  let query = "WorkflowType = 'orchestrate'";
  if (flags.status) {
    const status = LIST_STATUSES[flags.status.toLowerCase()];
    if (!status) throw new CliError(`--status must be one of ${Object.keys(LIST_STATUSES).join(', ')}`, EXIT.usage);
    query += ` AND ExecutionStatus = '${status}'`;
  }
  return withClient(flags, async (client) => {
    const rows = [['WORKFLOW ID', 'STATUS', 'STARTED']];
    for await (const run of client.workflow.list({ query })) {
      rows.push([run.workflowId, run.status.name, run.startTime.toISOString()]);
      if (rows.length > flags.limit) break;
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    process.stdout.write(`${rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n')}\n`);
    return EXIT.ok;
  });
}

export async function resultCommand(id: string, flags: Flags & PrintFlags): Promise<number> {
  return withClient(flags, async (client) => {
    const result = (await client.workflow.getHandle(id).result()) as RunResult;
    await printResult(result, flags);
    return exitCodeOf(result);
  });
}

export async function graphCommand(id: string, flags: Flags): Promise<number> {
  return withClient(flags, async (client) => {
    const { view } = await currentView(client.workflow.getHandle(id));
    process.stdout.write(`\`\`\`mermaid\n${mermaidDag(view.tasks)}\n\`\`\`\n\n\`\`\`mermaid\n${mermaidGantt(view.tasks)}\n\`\`\`\n`);
    return EXIT.ok;
  });
}
