// Applies a patch (add, update, remove tasks) to a plan and validates the result like a new plan.
// Pure; the task table then checks that no started task is touched.
import type { PlanPatch } from '../run/controlRequests';
import type { Plan } from './schema';
import { formatProblems, validatePlan } from './validatePlan';

export type PatchOutcome = { ok: true; plan: Plan } | { ok: false; message: string };

export function applyPlanPatch(plan: Plan, patch: PlanPatch): PatchOutcome {
  const ids = new Set(plan.tasks.map((t) => t.id));
  for (const id of [...(patch.remove ?? []), ...(patch.update ?? []).map((u) => u.id)]) {
    if (!ids.has(id)) return { ok: false, message: `no task ${id} in the plan` };
  }
  for (const task of patch.add ?? []) {
    if (typeof task.id !== 'string') return { ok: false, message: 'every added task needs an id' };
    if (ids.has(task.id)) return { ok: false, message: `task ${task.id} already exists; use update to change it` };
  }
  const removed = new Set(patch.remove ?? []);
  const updates = new Map((patch.update ?? []).map((u) => [u.id, u]));
  const tasks = plan.tasks
    .filter((t) => !removed.has(t.id))
    .map((t) => (updates.has(t.id) ? { ...t, ...updates.get(t.id) } : t))
    .concat((patch.add ?? []) as Plan['tasks']);
  const result = validatePlan({ ...plan, tasks });
  return result.ok ? { ok: true, plan: result.plan } : { ok: false, message: `the patched plan is invalid:\n${formatProblems(result.problems)}` };
}
