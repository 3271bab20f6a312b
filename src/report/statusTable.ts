// The parts of the report written without the LLM: the task status table, the failed and
// skipped tasks, and the run's figures. Pure.
import type { RunStats, TaskRecord, Usage } from '../run/types';
import { formatDuration } from '../text/formatDuration';

export function statusTable(tasks: TaskRecord[]): string {
  const rows = tasks.map((t) => `| ${t.id} | ${cell(t.title)} | ${statusText(t)} | ${t.attempts} | ${formatDuration(t.durationMs)} |`);
  return ['| id | title | status | attempts | duration |', '|---|---|---|---|---|', ...rows].join('\n');
}

/**
 * The status as a reader should see it: a task whose output was cut says so, or the cut goes
 * unnoticed; an agent at work says what it is doing (`Running · turn 4 · read_file src/x.ts`).
 */
export function statusText(task: Pick<TaskRecord, 'status' | 'truncated' | 'activity' | 'waitingFor'>): string {
  const status = task.truncated ? `${task.status} (output cut)` : task.status;
  if (task.waitingFor) return `${status} · waiting for a worker on ${task.waitingFor}`;
  return task.activity ? `${status} · ${task.activity}` : status;
}

export function problemsSection(tasks: TaskRecord[]): string | undefined {
  const lines = tasks.flatMap((t) => {
    if (t.status === 'Failed') return [`- **${t.id} · ${cell(t.title)}** failed after ${t.attempts} attempt(s): ${oneLine(t.error ?? 'unknown error')}`];
    if (t.status === 'Skipped' || t.status === 'Cancelled') return [`- **${t.id} · ${cell(t.title)}** ${t.status.toLowerCase()}: ${t.reason ?? ''}`];
    return [];
  });
  return lines.length === 0 ? undefined : lines.join('\n');
}

/** Which outputs came from which earlier run (0 tokens spent on them in this one). */
export function reusedSection(tasks: TaskRecord[]): string | undefined {
  const byRun = new Map<string, string[]>();
  for (const t of tasks) if (t.status === 'Reused') byRun.set(t.reusedFrom ?? '?', [...(byRun.get(t.reusedFrom ?? '?') ?? []), t.id]);
  if (byRun.size === 0) return undefined;
  return [...byRun].map(([run, ids]) => `- ${ids.join(', ')}: the output${ids.length > 1 ? 's' : ''} of run ${run} (not run again; 0 tokens)`).join('\n');
}

export function statsLine(stats: RunStats): string {
  return (
    `Total: ${stats.totalTasks} tasks, ${stats.completed} completed, ${stats.reused ? `${stats.reused} reused, ` : ''}${stats.failed} failed, ${stats.skipped} skipped, ${stats.cancelled} cancelled ` +
    `(${formatDuration(stats.makespanMs)}, speedup ${stats.speedup.toFixed(1)}x; serial ${formatDuration(stats.serialMs)}, ` +
    `critical path ${formatDuration(stats.criticalPathMs)}: ${stats.criticalPath.join(' → ') || '-'})`
  );
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s+/g, ' ');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').slice(0, 500);
}

export function usageLine(usage: Usage): string {
  const cache = usage.cacheReadTokens || usage.cacheWriteTokens ? `, cache read ${usage.cacheReadTokens ?? 0}, cache write ${usage.cacheWriteTokens ?? 0}` : '';
  const cost = usage.costUsd !== undefined ? `; estimated cost $${usage.costUsd.toFixed(4)}` : '';
  return `Usage: ${usage.inputTokens} input and ${usage.outputTokens} output tokens${cache}${cost}`;
}
