// Random DAGs for the scheduling suite: layered and unbalanced shapes, random task durations, the
// tasks shuffled in the plan so that plan order carries no hint. Seeded, so every run of the
// benchmark plays the same suite.
import type { Plan } from '../src/plan/schema';

export interface RandomDag {
  name: string;
  plan: Plan;
  maxParallel: number;
  /** Each task's duration in ms, by id. */
  durations: Map<string, number>;
}

/** mulberry32: a tiny seeded generator. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomDag(seed: number, shape: 'layered' | 'unbalanced', size: number, maxParallel: number, durationMs: [number, number]): RandomDag {
  const random = generator(seed);
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
  const ids = Array.from({ length: size }, (_, i) => `T${String(i).padStart(3, '0')}`);
  const deps = new Map<string, Set<string>>(ids.map((id) => [id, new Set()]));
  if (shape === 'layered') {
    // 4-8 layers; each task leans on 1-3 tasks of the layer before.
    const layers: string[][] = Array.from({ length: 4 + Math.floor(random() * 5) }, () => []);
    ids.forEach((id, i) => layers[i < layers.length ? i : Math.floor(random() * layers.length)]!.push(id));
    for (let l = 1; l < layers.length; l++) for (const id of layers[l]!) for (let k = 1 + Math.floor(random() * 3); k > 0; k--) deps.get(id)!.add(pick(layers[l - 1]!));
  } else {
    // A long spine (a fifth of the tasks) and the rest hanging off earlier tasks, mostly shallow.
    const spine = ids.slice(0, Math.max(2, Math.floor(size / 5)));
    spine.forEach((id, i) => i > 0 && deps.get(id)!.add(spine[i - 1]!));
    for (const id of ids.slice(spine.length)) if (random() < 0.4) deps.get(id)!.add(pick(ids.slice(0, ids.indexOf(id))));
  }
  const durations = new Map(ids.map((id) => [id, Math.round(durationMs[0] + random() * (durationMs[1] - durationMs[0]))]));
  const tasks = ids.map((id) => ({
    id,
    title: id,
    prompt: `Work for ${durations.get(id)} ms.`,
    dependsOn: [...deps.get(id)!],
    estimatedMinutes: durations.get(id)! / 60_000,
  }));
  // Fisher-Yates: plan order says nothing about the DAG.
  for (let i = tasks.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [tasks[i], tasks[j]] = [tasks[j]!, tasks[i]!];
  }
  return { name: `${shape} ${size} tasks, maxParallel ${maxParallel}`, plan: { tasks }, maxParallel, durations };
}

/** The suite: sizes 20-200, both shapes, maxParallel 2-8. */
export function dagSuite(): RandomDag[] {
  const specs: Array<['layered' | 'unbalanced', number, number]> = [
    ['layered', 20, 2],
    ['unbalanced', 40, 4],
    ['layered', 80, 3],
    ['unbalanced', 120, 6],
    ['layered', 160, 5],
    ['unbalanced', 200, 8],
  ];
  return specs.map(([shape, size, maxParallel], i) => randomDag(1000 + i, shape, size, maxParallel, [150, 900]));
}
