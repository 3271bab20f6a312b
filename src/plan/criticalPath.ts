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
