// Pictures of a run in Mermaid: the plan's DAG coloured by status, and a Gantt chart of when
// each task became ready, started and finished, so parallelism and the critical path show. Pure.
import type { TaskRecord, TaskStatus } from '../run/types';

const COLOURS: Record<TaskStatus, string> = {
  Pending: 'fill:#eeeeee,stroke:#9e9e9e',
  AwaitingApproval: 'fill:#fff3e0,stroke:#ef6c00',
  Waiting: 'fill:#e3f2fd,stroke:#64b5f6',
  Running: 'fill:#bbdefb,stroke:#1976d2',
  Retrying: 'fill:#ffe0b2,stroke:#f57c00',
  Completed: 'fill:#c8e6c9,stroke:#2e7d32',
  Reused: 'fill:#dcedc8,stroke:#558b2f,stroke-dasharray:2',
  Failed: 'fill:#ffcdd2,stroke:#c62828',
  Skipped: 'fill:#f5f5f5,stroke:#bdbdbd,stroke-dasharray:4',
  Cancelled: 'fill:#e0e0e0,stroke:#616161',
};

export function mermaidDag(tasks: TaskRecord[]): string {
  const node = nodeIds(tasks);
  const lines = ['flowchart LR'];
  for (const t of tasks) lines.push(`  ${node.get(t.id)}["${label(`${t.id} · ${t.title}`)}<br/>${t.status}"]:::${t.status}`);
  for (const t of tasks) for (const dep of t.dependsOn) lines.push(`  ${node.get(dep)} --> ${node.get(t.id)}`);
  for (const status of new Set(tasks.map((t) => t.status))) lines.push(`  classDef ${status} ${COLOURS[status]}`);
  return lines.join('\n');
}

export function mermaidGantt(tasks: TaskRecord[]): string {
  const started = tasks.filter((t) => t.startedAt !== undefined);
  if (started.length === 0) return 'gantt\n  title No task ran';
  const origin = Math.min(...tasks.flatMap((t) => (t.readyAt !== undefined ? [t.readyAt] : [])), ...started.map((t) => t.startedAt!));
  const lines = ['gantt', '  dateFormat x', '  axisFormat %M:%S', '  title Run timeline (waiting for a slot, then running)'];
  const node = nodeIds(tasks);
  for (const t of started) {
    const end = t.finishedAt ?? t.startedAt!;
    lines.push(`  section ${label(t.id)}`);
    if (t.readyAt !== undefined && t.startedAt! > t.readyAt) lines.push(`  waiting :${t.readyAt - origin}, ${t.startedAt! - origin}`);
    const tag = t.status === 'Completed' || t.status === 'Reused' ? 'done' : t.status === 'Failed' || t.status === 'Cancelled' ? 'crit' : 'active';
    lines.push(`  ${label(t.title)} :${tag}, ${node.get(t.id)}, ${t.startedAt! - origin}, ${Math.max(end, t.startedAt! + 1) - origin}`);
  }
  return lines.join('\n');
}

export function mermaidSection(tasks: TaskRecord[]): string {
  return `## Plan and timeline\n\n\`\`\`mermaid\n${mermaidDag(tasks)}\n\`\`\`\n\n\`\`\`mermaid\n${mermaidGantt(tasks)}\n\`\`\``;
}

/** Mermaid ids are plain; task ids may hold dots and dashes. */
function nodeIds(tasks: TaskRecord[]): Map<string, string> {
  return new Map(tasks.map((t, i) => [t.id, `t${i}_${t.id.replace(/[^A-Za-z0-9_]/g, '_')}`]));
}

function label(text: string): string {
  return text.replace(/["#:;<>]/g, ' ').replace(/\s+/g, ' ').trim();
}
