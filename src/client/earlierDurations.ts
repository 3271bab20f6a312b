// What earlier runs tell about a plan's tasks, for `--dry-run`'s prediction: the duration memo the
// workflow reads, from the store the workers write to (DAGENT_STORE / DAGENT_RESULTS_DIR). Best
// effort: a store that cannot be read predicts on estimates alone.
import type { Plan } from '../plan/schema';
import { mediansByTask, unestimatedTaskKeys } from '../plan/taskDurationKey';

/** Median ms of earlier runs, by task id, for the tasks without estimatedMinutes that have one. */
export async function earlierDurationsOf(plan: Plan, model: string | undefined): Promise<Map<string, number>> {
  const keys = unestimatedTaskKeys(plan.tasks, model);
  if (keys.size === 0) return new Map();
  try {
    const [{ resultStoreFromEnv }, { knownDurations }] = await Promise.all([import('../store/resultStoreFromEnv'), import('../activities/taskDurations')]);
    return mediansByTask(keys, await knownDurations(resultStoreFromEnv(), { keys: [...keys.values()] }));
  } catch {
    return new Map();
  }
}
