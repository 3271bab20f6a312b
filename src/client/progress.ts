// Live progress of a run on stderr: a redrawn task table on a terminal, one line per change otherwise.
import { statusText } from '../report/statusTable';
import { formatDuration } from '../text/formatDuration';
import type { RunStatusView, TaskRecord } from '../run/types';

export class ProgressView {
  private drawnLines = 0;
  private readonly lastStatus = new Map<string, string>();
  private lastPhase = '';

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  update(view: RunStatusView, now = Date.now()): void {
    if (this.out.isTTY) this.redraw(view, now);
    else this.printChanges(view, now);
  }

  private redraw(view: RunStatusView, now: number): void {
    const lines = renderTable(view, now);
    if (this.drawnLines > 0) this.out.write(`\x1b[${this.drawnLines}A\x1b[0J`);
    this.out.write(`${lines.join('\n')}\n`);
    this.drawnLines = lines.length;
  }

  private printChanges(view: RunStatusView, now: number): void {
    const at = `[${formatDuration(now - view.startedAt)}]`;
    if (view.phase !== this.lastPhase) {
      this.out.write(`${at} ${view.phase}${view.phase === 'Running' ? ` ${totalOf(view)} tasks` : ''}\n`);
      this.lastPhase = view.phase;
    }
    for (const t of view.tasks) {
      const key = `${t.status}/${t.attempts}/${t.activity ?? ''}/${t.waitingFor ?? ''}`;
      if (this.lastStatus.get(t.id) === key) continue;
      this.lastStatus.set(t.id, key);
      if (t.status === 'Pending' || t.status === 'Waiting') continue;
      const detail =
        t.status === 'Retrying' ? ` (attempt ${t.attempts}${t.error ? `: ${t.error}` : ''})` : t.error || t.reason ? `: ${t.error ?? t.reason}` : '';
      this.out.write(`${at} ${t.id} ${statusText(t)}${detail}\n`);
    }
  }
}

export function renderTable(view: RunStatusView, now: number): string[] {
  const done = view.counts.Completed + (view.counts.Reused ?? 0) + view.counts.Failed + view.counts.Skipped + view.counts.Cancelled;
  const tokens = view.usage ? ` · ${view.usage.inputTokens + view.usage.outputTokens} tokens${view.usage.costUsd !== undefined ? ` · $${view.usage.costUsd.toFixed(4)}` : ''}` : '';
  const total = totalOf(view);
  const header = `dagent · ${view.workflowId} · ${view.phase} · ${done}/${total} done · ${formatDuration(now - view.startedAt)}${tokens}`;
  const rows = view.tasks.map((t) => [t.id, clipTitle(t.title), statusText(t), String(t.attempts), elapsed(t, now)]);
  const table = [['ID', 'TITLE', 'STATUS', 'ATTEMPTS', 'ELAPSED'], ...rows];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  const unlisted = total - view.tasks.length;
  // A big run lists its plan's tasks and the map items at work or in trouble.
  const more = unlisted > 0 ? [`… and ${unlisted} map items not listed (not started, or done)`] : [];
  return [header, ...table.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()), ...more];
}

/** Every task of the run: a big run's view lists only some of them, its counts cover all. */
function totalOf(view: RunStatusView): number {
  return Math.max(view.tasks.length, Object.values(view.counts).reduce((a, b) => a + (b ?? 0), 0));
}

function elapsed(t: TaskRecord, now: number): string {
  if (t.durationMs !== undefined) return formatDuration(t.durationMs);
  if (t.startedAt !== undefined) return formatDuration(now - t.startedAt);
  return '-';
}

function clipTitle(title: string): string {
  return title.length > 40 ? `${title.slice(0, 39)}…` : title;
}
