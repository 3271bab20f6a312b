// How long the scheduler expects a task to take, in minutes: its estimatedMinutes, else the median
// time of the same work in earlier runs, else one minute each (equal weights). Pure; the workflow
// and `--dry-run` weigh tasks the same way, so the prediction is what the run does.
export function taskWeightMinutes(task: { estimatedMinutes?: number }, earlierMs: number | undefined): number {
  return task.estimatedMinutes ?? (earlierMs !== undefined ? earlierMs / 60_000 : 1);
}
