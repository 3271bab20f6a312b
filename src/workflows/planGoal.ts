// The planGoal workflow: only the planning step, for `dagent plan` (write a plan, review it,
// then run it). Deterministic workflow code.
import { DEFAULT_OPTIONS, PLAN_LIMITS, type Plan, type RunOptions } from '../plan/schema';
import { decompose } from './orchestrate';

export async function planGoal(input: { goal: string; options?: RunOptions }): Promise<Plan> {
  const options = { ...DEFAULT_OPTIONS, ...input.options };
  const planned = await decompose(options.heartbeatTimeout, input.options?.workdir, { goal: input.goal, model: options.model, maxTasks: Math.min(options.maxTasks, PLAN_LIMITS.maxTasks), allowShell: options.allowShell, allowWrites: options.allowWrites });
  return planned.plan;
}
