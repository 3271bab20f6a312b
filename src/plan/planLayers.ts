// A plan's shape before it runs: its layers (tasks that could run together) and its critical
// path by estimatedMinutes, for `dagent validate` and `run --dry-run`. Pure.
import { criticalPath, remainingPathLengths } from './criticalPath';
import type { Plan } from './schema';

export function planLayers(plan: Plan): string[][] {
  const depth = new Map<string, number>();
  const byId = new Map(plan.tasks.map((t) => [t.id, t]));
  const visit = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const d = Math.max(-1, ...(byId.get(id)!.dependsOn ?? []).map(visit)) + 1;
    depth.set(id, d);
    return d;
  };
  const layers: string[][] = [];
  for (const task of plan.tasks) (layers[visit(task.id)] ??= []).push(task.id);
  return layers;
}

export function estimatedCriticalPath(plan: Plan): { minutes: number; path: string[] } | undefined {
  if (!plan.tasks.some((t) => t.estimatedMinutes !== undefined)) return undefined;
  const minutes = new Map(plan.tasks.map((t) => [t.id, t.estimatedMinutes ?? 0]));
  const { length, path } = criticalPath(
    plan.tasks.map((t) => ({ id: t.id, dependsOn: t.dependsOn ?? [] })),
    (t) => minutes.get(t.id) ?? 0,
  );
  return { minutes: length, path };
}

/** The order the scheduler prefers among ready tasks: longest remaining chain (by estimate) first, ties in plan order. */
export function startOrder(plan: Plan): string[] {
  const remaining = remainingPathLengths(plan.tasks, (t) => t.estimatedMinutes ?? 1);
  return plan.tasks.map((t) => t.id).sort((a, b) => remaining.get(b)! - remaining.get(a)!);
}

export function describePlan(plan: Plan): string {
  const lines = [`${plan.tasks.length} tasks in ${planLayers(plan).length} layers`];
  planLayers(plan).forEach((layer, i) => {
    lines.push(`  layer ${i + 1}: ${layer.map((id) => `${id} (${plan.tasks.find((t) => t.id === id)!.backend ?? 'anthropic'})`).join(', ')}`);
  });
  for (const task of plan.tasks) {
    const deps = task.dependsOn?.length ? ` ← ${task.dependsOn.join(', ')}` : '';
    lines.push(`  ${task.id} · ${task.title}${deps}`);
  }
  const critical = estimatedCriticalPath(plan);
  if (critical) lines.push(`critical path by estimate: ${critical.path.join(' → ')} (${critical.minutes} min)`);
  lines.push(`start order when slots are short (longest remaining chain first): ${startOrder(plan).join(', ')}`);
  return lines.join('\n');
}
