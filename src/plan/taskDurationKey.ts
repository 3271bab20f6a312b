// Which earlier tasks count as "the same task" when guessing how long one will take: the same
// backend, model and work (prompt or command). Pure.
import { stableHash } from '../text/stableHash';
import type { Task } from './schema';

/** `<backend>-<hash of model and work>`. */
export function taskDurationKey(task: Task, runModel?: string): string {
  const work = task.command === undefined ? (task.prompt ?? '') : JSON.stringify(task.command);
  return `${task.backend ?? 'anthropic'}-${stableHash(`${task.model ?? runModel ?? ''}\n${work}`)}`;
}

/** The duration keys of the tasks without estimatedMinutes, by task id: what the memo is asked. */
export function unestimatedTaskKeys(tasks: Task[], runModel?: string): Map<string, string> {
  return new Map(tasks.filter((t) => t.estimatedMinutes === undefined).map((t) => [t.id, taskDurationKey(t, runModel)]));
}

/** The memo's answer (median ms by key) back by task id, for the tasks it knows. */
export function mediansByTask(keys: ReadonlyMap<string, string>, medians: Record<string, number>): Map<string, number> {
  return new Map([...keys].flatMap(([id, key]) => (medians[key] === undefined ? [] : [[id, medians[key]] as [string, number]])));
}

/** The backend a key of taskDurationKey names. */
export function durationKeyBackend(key: string): string {
  return key.slice(0, Math.max(0, key.indexOf('-'))) || 'other';
}

/** The median of what is known, or undefined. */
export function medianOf(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
