// The shape of a plan patch (add, update, remove tasks) and applying it: the result is validated
// like a new plan. Pure; the task table then checks that no started task is touched.
import { z } from 'zod';
import { PLAN_LIMITS, type Plan } from './schema';
import { sharedValue } from './sharedValue';
import { formatProblems, validatePlan } from './validatePlan';

/** add: new tasks; update: fields of tasks that have not started (by id); remove: ids of tasks that have not started. Made once per process (see sharedValue). */
export const PlanPatchSchema = sharedValue('plan-patch-schema', () => {
  const TaskRef = z.string().min(1).max(64);
  return z
    .object({
      add: z.array(z.record(z.string(), z.unknown())).max(PLAN_LIMITS.maxTasks).optional(),
      update: z.array(z.object({ id: TaskRef }).catchall(z.unknown())).max(PLAN_LIMITS.maxTasks).optional(),
      remove: z.array(TaskRef).max(PLAN_LIMITS.maxTasks).optional(),
    })
    .strict()
    .refine((p) => p.add?.length || p.update?.length || p.remove?.length, 'a patch must add, update or remove something');
});
export type PlanPatch = z.infer<typeof PlanPatchSchema>;

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
