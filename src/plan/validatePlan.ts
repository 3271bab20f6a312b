// Checks a plan completely and names every problem; never repairs anything. Pure and linear in
// the plan's size: used by the CLI before starting, by the decompose activity to ask the model
// again, and by the workflow (which must never stall on what it is given), so it imports nothing
// that touches Node. Oversized or deeply nested input is refused before anything else looks at it.
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

/** Deeper than any plan needs (an outputSchema included), shallow enough for every recursive reader. */
export const MAX_PLAN_DEPTH = 64;

export function validatePlan(raw: unknown): PlanValidation {
  const refused = sizeProblem(raw);
  if (refused) return { ok: false, problems: [refused] };
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

/** Nesting, task count and bytes, checked in that order so each check is safe and cheap to run. */
function sizeProblem(raw: unknown): PlanProblem | undefined {
  if (nestingDepth(raw, MAX_PLAN_DEPTH) > MAX_PLAN_DEPTH) return { path: '(plan)', message: `nested too deeply: more than ${MAX_PLAN_DEPTH} levels of objects and lists` };
  const tasks = (raw as { tasks?: unknown; steps?: unknown } | null)?.tasks ?? (raw as { steps?: unknown } | null)?.steps;
  if (Array.isArray(tasks) && tasks.length > PLAN_LIMITS.maxTasks) return { path: 'tasks', message: `${tasks.length} tasks; a plan may have at most ${PLAN_LIMITS.maxTasks}` };
  let size: number;
  try {
    size = JSON.stringify(raw)?.length ?? 0;
  } catch (err) {
    return { path: '(plan)', message: `cannot be read as JSON: ${(err as Error).message}` };
  }
  if (size > PLAN_LIMITS.maxPlanBytes) return { path: '(plan)', message: `plan is ${size} bytes; the limit is ${PLAN_LIMITS.maxPlanBytes}` };
  return undefined;
}

/** How deep objects and lists nest, counted without recursion and stopping once past `limit`. */
export function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > limit) return deepest;
    for (const child of Object.values(node)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return deepest;
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

  const byLowerCase = new Map<string, string>();
  tasks.forEach((task, i) => {
    const id = (task as { id?: unknown })?.id;
    if (typeof id !== 'string') return;
    if (indexById.has(id)) {
      problems.push({ taskId: id, path: `tasks[${i}].id`, message: `duplicate id "${id}" (first used by tasks[${indexById.get(id)}])` });
      return;
    }
    // Ids name files in the result store: on a case-insensitive disk these two would be one file.
    const sameButCase = byLowerCase.get(id.toLowerCase());
    if (sameButCase !== undefined) {
      problems.push({ taskId: id, path: `tasks[${i}].id`, message: `"${id}" differs from "${sameButCase}" only in case; ids must differ in more than case` });
      return;
    }
    byLowerCase.set(id.toLowerCase(), id);
    indexById.set(id, i);
  });
  const knownIds = new Set(indexById.keys());

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
    const declared = deps.filter((d: unknown): d is string => typeof d === 'string');
    const map = (task as { forEach?: unknown }).forEach !== undefined;
    for (const [path, text] of templatedTexts(task as Record<string, unknown>)) {
      const shellString = path === 'command';
      for (const message of templateProblems(text, declared, knownIds, { otherBracesAreText: path.startsWith('command'), map, shellString })) problems.push({ taskId: id, path: `tasks[${i}].${path}`, message });
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

/** The fields of a task where templates are filled in: prompt, systemPrompt, expectedOutput, command. */
function templatedTexts(task: Record<string, unknown>): Array<[string, string]> {
  const texts: Array<[string, string]> = [];
  for (const field of ['prompt', 'systemPrompt', 'expectedOutput', 'command']) {
    const value = task[field];
    if (typeof value === 'string') texts.push([field, value]);
    else if (field === 'command' && Array.isArray(value)) value.forEach((arg, k) => typeof arg === 'string' && texts.push([`command[${k}]`, arg]));
  }
  return texts;
}

function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '') || '(plan)';
}

function taskIdAt(input: unknown, path: PropertyKey[]): string | undefined {
  if (path[0] !== 'tasks' || typeof path[1] !== 'number') return undefined;
  const id = (input as { tasks: Array<{ id?: unknown }> }).tasks[path[1]]?.id;
  return typeof id === 'string' ? id : undefined;
}
