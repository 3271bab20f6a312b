// Turns what people write into the canonical Plan: clinvk's snake_case aliases, chain files
// (`steps`), plan-wide `defaults`, and missing ids and titles. Pure; validation comes after.
import { firstLine } from '../text/shortenText';
import type { PlanProblem } from './validatePlan';

const TOP_ALIASES: Record<string, string> = { max_parallel: 'maxParallel', start_order: 'startOrder', fail_fast: 'failFast', max_tasks: 'maxTasks' };
const TASK_ALIASES: Record<string, string> = {
  system_prompt: 'systemPrompt',
  max_tokens: 'maxTokens',
  max_turns: 'maxTurns',
  approval_mode: 'approvalMode',
  sandbox_mode: 'sandboxMode',
  depends_on: 'dependsOn',
  expected_output: 'expectedOutput',
  output_schema: 'outputSchema',
  estimated_minutes: 'estimatedMinutes',
};
/** clinvk accepts these and ignores them; so do we, so that its files run unchanged. */
const IGNORED_TASK_KEYS = new Set(['output_format', 'outputFormat']);

export interface Normalized {
  plan: unknown;
  problems: PlanProblem[];
}

export function normalizePlan(input: unknown): Normalized {
  if (!isObject(input)) return { plan: input, problems: [] };
  const problems: PlanProblem[] = [];
  const plan = renameKeys(input, TOP_ALIASES, '', problems);

  if ('steps' in plan) {
    if ('tasks' in plan) problems.push({ path: 'steps', message: 'give either "tasks" or "steps" (a chain), not both' });
    else if (Array.isArray(plan.steps)) plan.tasks = chainToTasks(plan.steps);
    else problems.push({ path: 'steps', message: 'must be a list of steps' });
    delete plan.steps;
  }

  const defaults = isObject(plan.defaults) ? renameKeys(plan.defaults, TASK_ALIASES, 'defaults', problems) : undefined;
  if (plan.defaults !== undefined && !defaults) problems.push({ path: 'defaults', message: 'must be an object of task fields' });
  delete plan.defaults;

  if (Array.isArray(plan.tasks)) {
    plan.tasks = plan.tasks.map((task, i) => (isObject(task) ? normalizeTask(task, i, defaults, problems) : task));
  }
  return { plan, problems };
}

function normalizeTask(raw: Record<string, unknown>, index: number, defaults: Record<string, unknown> | undefined, problems: PlanProblem[]) {
  const task = renameKeys(raw, TASK_ALIASES, `tasks[${index}]`, problems);
  for (const key of IGNORED_TASK_KEYS) delete task[key];
  if (task.title === undefined && typeof task.name === 'string') task.title = task.name;
  delete task.name;
  const merged: Record<string, unknown> = { ...defaults, ...task };
  if (merged.id === undefined) merged.id = `T-${String(index + 1).padStart(2, '0')}`;
  if (merged.title === undefined) merged.title = titleFrom(merged);
  return merged;
}

/** A chain: each step depends on the one before it. */
function chainToTasks(steps: unknown[]): unknown[] {
  const ids = steps.map((step, i) => (isObject(step) && typeof step.id === 'string' ? step.id : `T-${String(i + 1).padStart(2, '0')}`));
  return steps.map((step, i) => {
    if (!isObject(step)) return step;
    const dependsOn = i === 0 ? [] : [ids[i - 1]];
    return { ...step, id: ids[i], dependsOn };
  });
}

function titleFrom(task: Record<string, unknown>): string {
  const source = typeof task.prompt === 'string' ? task.prompt : Array.isArray(task.command) ? task.command.join(' ') : typeof task.command === 'string' ? task.command : String(task.id);
  return firstLine(source, 60) || String(task.id);
}

function renameKeys(source: Record<string, unknown>, aliases: Record<string, string>, path: string, problems: PlanProblem[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    // Keys that could reach an object's prototype are refused, never copied.
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
      problems.push({ path: path ? `${path}.${key}` : key, message: 'this key is not allowed' });
      continue;
    }
    const canonical = aliases[key] ?? key;
    if (canonical !== key && key in source && canonical in source) {
      problems.push({ path: path ? `${path}.${key}` : key, message: `both "${key}" and "${canonical}" are given; keep one` });
      continue;
    }
    out[canonical] = value;
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
