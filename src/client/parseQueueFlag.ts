// `--queue gpu,claude=8`: the skill queues a worker serves, each with an optional concurrency.
import { InvalidArgumentError } from 'commander';
import { QueueNameSchema } from '../plan/schema';
import type { SkillQueueServed } from '../workers/createWorker';

/** One skill queue name, as an argument. */
export function parseQueueName(value: string): string {
  const parsed = QueueNameSchema.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(`queue "${value}": ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

export function parseQueueFlag(value: string, previous: SkillQueueServed[] = []): SkillQueueServed[] {
  const queues = [...previous];
  for (const entry of value.split(',').map((e) => e.trim()).filter(Boolean)) {
    const [name, count, ...rest] = entry.split('=');
    const parsedName = QueueNameSchema.safeParse(name);
    if (!parsedName.success) throw new InvalidArgumentError(`--queue "${entry}": ${parsedName.error.issues[0]!.message}`);
    let maxConcurrentActivities: number | undefined;
    if (count !== undefined || rest.length > 0) {
      maxConcurrentActivities = Number(count);
      if (rest.length > 0 || !Number.isInteger(maxConcurrentActivities) || maxConcurrentActivities < 1) {
        throw new InvalidArgumentError(`--queue "${entry}": write NAME or NAME=N, where N (the activities this worker runs at once from that queue) is a whole number of 1 or more`);
      }
    }
    if (queues.some((q) => q.name === parsedName.data)) throw new InvalidArgumentError(`--queue: "${parsedName.data}" is given twice`);
    queues.push({ name: parsedName.data, ...(maxConcurrentActivities ? { maxConcurrentActivities } : {}) });
  }
  if (queues.length === 0) throw new InvalidArgumentError('--queue needs at least one queue name, e.g. --queue gpu,claude=8');
  return queues;
}
