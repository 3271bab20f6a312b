// `dagent stats [--since 24h]`: the runs of a task queue from Temporal's visibility, by status,
// and from their results the spread (P50/P95/P99) of run makespans and of task durations per
// backend. No second database: what Temporal keeps is the record.
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { durationToMs } from '../plan/schema';
import { spreadOf, type Spread } from '../run/percentiles';
import type { RunResult } from '../run/types';
import { connectClient, resolveTemporal } from '../temporal/connect';
import { formatDuration } from '../text/formatDuration';
import { loadConfig } from './config';
import { CliError, EXIT } from './exitCodes';
import { logLine, resolveTaskQueue, type ConnectionFlags } from './shared';

export interface StatsFlags extends ConnectionFlags {
  since: string;
  limit: number;
  json?: boolean;
}

export interface RunStatsReport {
  taskQueue: string;
  since: string;
  /** Runs by status: a closed run's dagent outcome (Completed, Failed, …), else Temporal's status (Running, Terminated, …). */
  runs: Record<string, number>;
  makespanMs: Spread;
  taskDurationMs: Record<string, Spread>;
}

export async function statsCommand(flags: StatsFlags): Promise<number> {
  if (!/^\d+(\.\d+)?(ms|s|m|h)$/.test(flags.since) && !/^\d+d$/.test(flags.since)) throw new CliError(`--since must be a duration such as 30m, 24h or 7d, got "${flags.since}"`, EXIT.usage);
  const sinceMs = flags.since.endsWith('d') ? Number(flags.since.slice(0, -1)) * 86_400_000 : durationToMs(flags.since);
  const taskQueue = resolveTaskQueue(flags.taskQueue, (await loadConfig()).config.taskQueue);
  const target = await resolveTemporal({ address: flags.address, namespace: flags.namespace, profile: flags.profile, autoStart: false, log: logLine });
  const client = await connectClient(target);
  try {
    const report = await gatherStats(client, taskQueue, new Date(Date.now() - sinceMs), flags.limit);
    report.since = flags.since;
    process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : render(report));
    return EXIT.ok;
  } finally {
    await client.connection.close();
  }
}

export async function gatherStats(client: Client, taskQueue: string, since: Date, limit: number): Promise<RunStatsReport> {
  const query = `WorkflowType = 'orchestrate' AND TaskQueue = '${taskQueue.replace(/'/g, "\\'")}' AND StartTime > '${since.toISOString()}'`;
  const runs: Record<string, number> = {};
  const makespans: number[] = [];
  const durations = new Map<string, number[]>();
  const results: Array<Promise<void>> = [];
  let seen = 0;
  for await (const execution of client.workflow.list({ query })) {
    if (execution.parentExecution) continue; // a sub-plan is part of its parent's run
    if (++seen > limit) break;
    if (execution.status.name !== 'COMPLETED') {
      const status = execution.status.name === 'RUNNING' ? 'Running' : execution.status.name.charAt(0) + execution.status.name.slice(1).toLowerCase();
      runs[status] = (runs[status] ?? 0) + 1;
      continue;
    }
    results.push(
      client.workflow
        .getHandle(execution.workflowId, execution.runId)
        .result()
        .then((result: RunResult) => {
          runs[result.status] = (runs[result.status] ?? 0) + 1;
          if (result.stats.makespanMs > 0) makespans.push(result.stats.makespanMs);
          for (const t of result.tasks) if (t.durationMs !== undefined && t.startedAt !== undefined) durations.set(t.backend, [...(durations.get(t.backend) ?? []), t.durationMs]);
        })
        .catch((err: unknown) => {
          if (!(err instanceof WorkflowFailedError)) throw err;
        }),
    );
  }
  await Promise.all(results);
  return {
    taskQueue,
    since: since.toISOString(),
    runs: Object.fromEntries(Object.entries(runs).sort(([a], [b]) => a.localeCompare(b))),
    makespanMs: spreadOf(makespans),
    taskDurationMs: Object.fromEntries([...durations].sort(([a], [b]) => a.localeCompare(b)).map(([backend, values]) => [backend, spreadOf(values)])),
  };
}

function render(report: RunStatsReport): string {
  const total = Object.values(report.runs).reduce((a, b) => a + b, 0);
  const lines = [`Runs on task queue ${report.taskQueue} in the last ${report.since}: ${total}${total ? ` (${Object.entries(report.runs).map(([s, n]) => `${n} ${s}`).join(', ')})` : ''}`];
  const rows = [['', 'COUNT', 'P50', 'P95', 'P99'], row('run makespan', report.makespanMs), ...Object.entries(report.taskDurationMs).map(([backend, spread]) => row(`task · ${backend}`, spread))];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  lines.push('', ...rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')));
  return `${lines.join('\n')}\n`;
}

function row(name: string, spread: Spread): string[] {
  const cell = (ms: number | undefined) => (ms === undefined ? '-' : formatDuration(ms));
  return [name, String(spread.count), cell(spread.p50), cell(spread.p95), cell(spread.p99)];
}
