// What `dagent run` prints at the end: the results table in task order, the summary line, and
// the report (or where the report was written).
import { writeFile } from 'node:fs/promises';
import { statusText, usageLine } from '../report/statusTable';
import { formatDuration } from '../text/formatDuration';
import type { RunResult, RunStats } from '../run/types';
import { withOutputs } from './readOutputs';
import { logLine } from './shared';

export interface PrintFlags {
  json?: boolean;
  quiet?: boolean;
  report?: string;
}

export async function printResult(result: RunResult, flags: PrintFlags, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  if (flags.json) {
    // Outputs are read from the store the workers write to (DAGENT_STORE / DAGENT_RESULTS_DIR).
    const { resultStoreFromEnv } = await import('../store/resultStoreFromEnv');
    const read = await withOutputs(result, resultStoreFromEnv());
    if (read.unreadable) logLine(`dagent: task outputs left out (each task keeps its outputRef): ${read.unreadable}`);
    out.write(`${JSON.stringify(read.result, null, 2)}\n`);
    return;
  }
  if (flags.quiet) {
    out.write(`${summaryLine(result.stats)}\n`);
    return;
  }
  out.write(`${resultsTable(result).join('\n')}\n\n${summaryLine(result.stats)}\n${usageLine(result.usage)}\n`);
  if (flags.report) {
    await writeFile(flags.report, result.report);
    logLine(`dagent: report written to ${flags.report}`);
  } else if (result.report) {
    out.write(`\n${result.report}`);
  }
}

/** Skipped (never started) and cancelled (stopped, or stopped before starting) are told apart, both always shown. */
export function summaryLine(stats: RunStats): string {
  return (
    `Total: ${stats.totalTasks} tasks, ${stats.completed} completed, ${stats.reused ? `${stats.reused} reused, ` : ''}${stats.failed} failed, ${stats.skipped} skipped, ${stats.cancelled} cancelled ` +
    `(${(stats.makespanMs / 1000).toFixed(1)}s, speedup ${stats.speedup.toFixed(1)}x)`
  );
}

export function resultsTable(result: RunResult): string[] {
  const rows = result.tasks.map((t) => [t.id, t.backend, statusText(t), String(t.attempts), formatDuration(t.durationMs), t.title]);
  const table = [['ID', 'BACKEND', 'STATUS', 'ATTEMPTS', 'DURATION', 'TITLE'], ...rows];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  return table.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
}
