// The longest path through a DAG of tasks by a cost per task: the critical path. Pure.

/**
 * The heaviest dependency chain, weighing each task by a cost (its measured duration after a run,
 * or an estimate before the run). Tasks are given in an order where dependencies come first
 * or not; the walk is memoised so either works.
 */
export function criticalPath<T extends { id: string; dependsOn: string[] }>(
  tasks: T[],
  cost: (t: T) => number,
): { length: number; path: string[] } {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const best = new Map<string, { length: number; via?: string }>();
  const visit = (id: string): number => {
    const known = best.get(id);
    if (known) return known.length;
    const task = byId.get(id)!;
    let via: string | undefined;
    let upstream = 0;
    for (const dep of task.dependsOn) {
      const l = visit(dep);
      if (l > upstream || via === undefined) [upstream, via] = [l, dep];
    }
    const length = upstream + cost(task);
    best.set(id, { length, via });
    return length;
  };
  let end: string | undefined;
  let longest = -1;
  for (const t of tasks) {
    const length = visit(t.id);
    if (length > longest) [end, longest] = [t.id, length];
  }
  const path: string[] = [];
  for (let id = end; id !== undefined; id = best.get(id)!.via) path.unshift(id);
  return { length: end === undefined ? 0 : best.get(end)!.length, path };
}

/**
 * For each task, the heaviest chain from it to the end of the DAG, itself included: the order in
 * which ready tasks should start when they outnumber the free slots (longest remaining first).
 */
export function remainingPathLengths<T extends { id: string; dependsOn?: string[] }>(tasks: T[], cost: (t: T) => number): Map<string, number> {
  const dependents = new Map<string, string[]>(tasks.map((t) => [t.id, []]));
  for (const t of tasks) for (const dep of t.dependsOn ?? []) dependents.get(dep)?.push(t.id);
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const remaining = new Map<string, number>();
  // Iterative post-order: a deep chain must not overflow the stack.
  for (const root of tasks) {
    const stack: Array<{ id: string; expanded: boolean }> = [{ id: root.id, expanded: false }];
    while (stack.length > 0) {
      const top = stack.at(-1)!;
      if (remaining.has(top.id)) {
        stack.pop();
        continue;
      }
      const next = dependents.get(top.id) ?? [];
      if (!top.expanded) {
        top.expanded = true;
        for (const d of next) if (!remaining.has(d)) stack.push({ id: d, expanded: false });
        continue;
      }
      stack.pop();
      remaining.set(top.id, cost(byId.get(top.id)!) + Math.max(0, ...next.map((d) => remaining.get(d) ?? 0)));
    }
  }
  return remaining;
}
