// A plan's shape before it runs: its layers (tasks that could run together), its critical path
// by estimatedMinutes, and the schedule the run is predicted to follow, for `dagent validate` and
// `run --dry-run`. Pure.
import { criticalPath } from './criticalPath';
import { predictSchedule, type StartOrder } from './predictSchedule';
import { taskWeightMinutes } from './taskWeight';
import type { Plan } from './schema';
import { formatDuration } from '../text/formatDuration';

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

/**
 * How the run will go, weighing tasks as the workflow does (`earlierMs`: the median time of each
 * task's work in earlier runs, by task id); in minutes when anything is known, else in "task
 * lengths" (every task weighs one).
 */
export function predictedRun(plan: Plan, maxParallel: number, order: StartOrder, earlierMs: ReadonlyMap<string, number> = new Map()) {
  const timed = earlierMs.size > 0 || plan.tasks.some((t) => t.estimatedMinutes !== undefined);
  const schedule = predictSchedule(plan.tasks, (t) => taskWeightMinutes(t, earlierMs.get(t.id)), maxParallel, order);
  return { ...schedule, timed };
}

export function describePlan(plan: Plan, run: { maxParallel?: number; startOrder?: StartOrder; earlierMs?: ReadonlyMap<string, number> } = {}): string {
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
  const maxParallel = run.maxParallel ?? plan.maxParallel ?? 4;
  const order = run.startOrder ?? plan.startOrder ?? 'critical-path';
  const p = predictedRun(plan, maxParallel, order, run.earlierMs);
  const n = (x: number) => (p.timed ? formatDuration(Math.round(x * 60_000)) : `${Math.round(x * 10) / 10}`);
  const known = run.earlierMs?.size ? `; ${run.earlierMs.size} task(s) weighed by earlier runs` : '';
  lines.push(
    `predicted makespan with maxParallel ${maxParallel} (${order === 'plan' ? 'plan order' : 'longest remaining chain first'}): ${n(p.makespan)}${p.timed ? '' : ' task lengths'}` +
      ` (critical path ${n(p.criticalPath)}, work ÷ slots ${n(p.workPerSlot)})${p.timed ? known : '; give tasks estimatedMinutes for times'}`,
  );
  lines.push(`start order: ${p.starts.join(', ')}`);
  return lines.join('\n');
}
