// Checks a plan completely and names every problem; never repairs anything. Pure: used by the
// CLI before starting, by the decompose activity to ask the model again, and by the workflow.
import Ajv from 'ajv';
import { normalizePlan } from './normalizePlan';
import { PLAN_LIMITS, PlanSchema, type Plan } from './schema';
import { templateProblems } from './templates';

export interface PlanProblem {
  /** The offending task's id, when the problem belongs to one task. */
  taskId?: string;
  /** Where in the plan, e.g. `tasks[2].dependsOn[0]`. */
  path: string;
  message: string;
}

export type PlanValidation = { ok: true; plan: Plan } | { ok: false; problems: PlanProblem[] };

export function validatePlan(raw: unknown): PlanValidation {
  const size = safeJsonLength(raw);
  if (size > PLAN_LIMITS.maxPlanBytes) {
    return { ok: false, problems: [{ path: '(plan)', message: `plan is ${size} bytes; the limit is ${PLAN_LIMITS.maxPlanBytes}` }] };
  }
  const { plan: input, problems } = normalizePlan(raw);

  const parsed = PlanSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push({ path: formatPath(issue.path), taskId: taskIdAt(input, issue.path), message: issue.message });
    }
  }
  problems.push(...graphProblems(input));

  if (problems.length > 0 || !parsed.success) return { ok: false, problems };
  return { ok: true, plan: parsed.data };
}

export function formatProblems(problems: PlanProblem[]): string {
  return problems.map((p) => `- ${p.path}${p.taskId ? ` (${p.taskId})` : ''}: ${p.message}`).join('\n');
}

/** Graph checks run on whatever tasks have usable ids, so shape errors elsewhere do not hide them. */
function graphProblems(input: unknown): PlanProblem[] {
  const tasks = (input as { tasks?: unknown })?.tasks;
  if (!Array.isArray(tasks)) return [];
  const problems: PlanProblem[] = [];
  const indexById = new Map<string, number>();
  const edges = new Map<string, string[]>();

  tasks.forEach((task, i) => {
    const id = (task as { id?: unknown })?.id;
    if (typeof id !== 'string') return;
    if (indexById.has(id)) {
      problems.push({ taskId: id, path: `tasks[${i}].id`, message: `duplicate id "${id}" (first used by tasks[${indexById.get(id)}])` });
      return;
    }
    indexById.set(id, i);
  });

  tasks.forEach((task, i) => {
    const id = (task as { id?: unknown })?.id;
    const deps = (task as { dependsOn?: unknown })?.dependsOn ?? [];
    if (typeof id !== 'string' || indexById.get(id) !== i || !Array.isArray(deps)) return;
    const known: string[] = [];
    const seen = new Set<string>();
    deps.forEach((dep, j) => {
      if (typeof dep !== 'string') return;
      const path = `tasks[${i}].dependsOn[${j}]`;
      if (dep === id) problems.push({ taskId: id, path, message: 'a task cannot depend on itself' });
      else if (!indexById.has(dep)) problems.push({ taskId: id, path, message: `unknown task "${dep}"` });
      else if (seen.has(dep)) problems.push({ taskId: id, path, message: `"${dep}" is listed twice` });
      else known.push(dep);
      seen.add(dep);
    });
    edges.set(id, known);
    const prompt = (task as { prompt?: unknown }).prompt;
    if (typeof prompt === 'string') {
      const declared = deps.filter((d: unknown): d is string => typeof d === 'string');
      for (const message of templateProblems(prompt, declared, new Set(indexById.keys()))) problems.push({ taskId: id, path: `tasks[${i}].prompt`, message });
    }
    const schema = (task as { outputSchema?: unknown }).outputSchema;
    if (schema !== undefined && typeof schema === 'object' && schema !== null) {
      const error = jsonSchemaError(schema);
      if (error) problems.push({ taskId: id, path: `tasks[${i}].outputSchema`, message: `not a valid JSON Schema: ${error}` });
    }
  });

  for (const cycle of findCycles(edges)) {
    problems.push({ taskId: cycle[0], path: 'tasks', message: `cycle: ${cycle.join(' → ')}` });
  }
  return problems;
}

/**
 * One cycle per strongly connected component (Tarjan), written in dependency direction
 * and closed: [T-01, T-03, T-02, T-01] means T-01 depends on T-03, which depends on T-02, ...
 */
export function findCycles(edges: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];

  // Iterative to survive long chains without blowing the stack.
  for (const root of edges.keys()) {
    if (index.has(root)) continue;
    const work: Array<{ node: string; next: number }> = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const deps = edges.get(frame.node) ?? [];
      if (frame.next < deps.length) {
        const dep = deps[frame.next++]!;
        if (!index.has(dep)) {
          index.set(dep, counter);
          low.set(dep, counter++);
          stack.push(dep);
          onStack.add(dep);
          work.push({ node: dep, next: 0 });
        } else if (onStack.has(dep)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(dep)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        if (component.length > 1) components.push(component);
      }
    }
  }
  return components.map((component) => cycleWithin(new Set(component), edges));
}

function cycleWithin(members: Set<string>, edges: Map<string, string[]>): string[] {
  const start = [...members].sort()[0]!;
  // Breadth-first from start back to start gives the shortest cycle through it.
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const dep of edges.get(node) ?? []) {
      if (!members.has(dep)) continue;
      if (dep === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return [...path, start];
      }
      if (!previous.has(dep)) {
        previous.set(dep, node);
        queue.push(dep);
      }
    }
  }
  return [start, start];
}

function jsonSchemaError(schema: object): string | undefined {
  try {
    new Ajv({ strict: false }).compile(schema);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '') || '(plan)';
}

function taskIdAt(input: unknown, path: PropertyKey[]): string | undefined {
  if (path[0] !== 'tasks' || typeof path[1] !== 'number') return undefined;
  const id = (input as { tasks: Array<{ id?: unknown }> }).tasks[path[1]]?.id;
  return typeof id === 'string' ? id : undefined;
}

function safeJsonLength(input: unknown): number {
  try {
    return JSON.stringify(input)?.length ?? 0;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
