// A task's reuse key: what its result depends on. Two tasks with the same key would be asked the
// same thing of the same model with the same inputs, so one's output can stand for the other's:
// a rerun takes unchanged tasks from the run it reruns, and `reuse` looks keys up across runs.
// Pure and sandbox-safe: the workflow computes it when a task starts.
import { canonicalJson } from '../text/canonicalJson';
import { stableHash } from '../text/stableHash';
import type { Task } from './schema';

/**
 * Fields that do not change what a task produces: its name, its place in the plan (its inputs
 * count by their hashes instead), labels, and how it is scheduled, retried or approved.
 */
const NOT_IN_KEY = ['id', 'title', 'dependsOn', 'tags', 'meta', 'critical', 'requiresApproval', 'retries', 'timeout', 'estimatedMinutes', 'cache', 'queue'] as const;

/**
 * `upstreamHashes`: the output hashes of the task's dependencies, in dependsOn order; undefined
 * when one is unknown (an output from a worker too old to hash it): then there is no key.
 */
export function reuseKeyOf(task: Task, runModel: string | undefined, upstreamHashes: ReadonlyArray<string | undefined>): string | undefined {
  if (upstreamHashes.some((h) => h === undefined)) return undefined;
  const spec: Record<string, unknown> = { ...task };
  for (const field of NOT_IN_KEY) delete spec[field];
  const text = canonicalJson({ spec, model: task.model ?? runModel ?? '', upstream: upstreamHashes });
  // Two 53-bit hashes, the second over a salted text: 106 bits, so unrelated tasks do not meet.
  return `${stableHash(text)}${stableHash(`reuse:${text}`)}`;
}

/** The tasks named and everything downstream of them: what `--from` makes run again. */
export function withDescendants(tasks: ReadonlyArray<Pick<Task, 'id' | 'dependsOn'>>, ids: Iterable<string>): Set<string> {
  const found = new Set(ids);
  let grew = true;
  while (grew) {
    grew = false;
    for (const t of tasks) {
      if (found.has(t.id) || !(t.dependsOn ?? []).some((d) => found.has(d))) continue;
      found.add(t.id);
      grew = true;
    }
  }
  return found;
}
