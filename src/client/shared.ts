// What the commands share at run time: the task queue they use and stderr logging.
import { dagentSettings } from '../settings/dagentSettings';
import { DEFAULT_TASK_QUEUE } from '../plan/skillQueue';

export type { ConnectionFlags } from './flags';

/** CLI flag, then $DAGENT_TASK_QUEUE, then the config file, then "dagent". */
export function resolveTaskQueue(flag: string | undefined, configured?: string): string {
  return flag ?? dagentSettings().taskQueue ?? configured ?? DEFAULT_TASK_QUEUE;
}

export const logLine = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
