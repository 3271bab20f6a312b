// dagent's own metrics, named once. They go through the Temporal SDK's metric meter, so they are
// exported by the same Prometheus endpoint as the SDK's own (no second metrics system): counts
// from activities as they happen, and from the workflow (skipped on replay) as runs end. Pure
// names and tag shapes; recording needs a MetricMeter from the activity or workflow context.
import type { MetricMeter } from '@temporalio/common';
import type { TaskRecord, Usage } from '../run/types';

export const DAGENT_METRICS = {
  /** Task attempts by backend and outcome (completed, failed). */
  attempts: 'dagent_task_attempts',
  /** Milliseconds of one task attempt, by backend and outcome. */
  attemptDuration: 'dagent_task_attempt_duration',
  /** Tokens by model and kind (input, output, cache_read, cache_write). */
  tokens: 'dagent_tokens',
  /** Estimated cost in millionths of a US dollar, by model. */
  cost: 'dagent_cost_microdollars',
  /** Tasks by backend and final status, counted when their run ends. */
  tasks: 'dagent_tasks',
  /** Runs by outcome. */
  runs: 'dagent_runs',
  /** Milliseconds from a run's first task start to its last task end, by outcome. */
  runMakespan: 'dagent_run_makespan',
} as const;

/** One task attempt's figures, recorded by the activity that made it. */
export function recordAttempt(meter: MetricMeter, backend: string, outcome: 'completed' | 'failed', ms: number, model?: string, usage?: Usage): void {
  meter.createCounter(DAGENT_METRICS.attempts, '1', 'task attempts').add(1, { backend, outcome });
  meter.createHistogram(DAGENT_METRICS.attemptDuration, 'int', 'ms', 'duration of one task attempt').record(Math.max(0, Math.round(ms)), { backend, outcome });
  if (!usage || !model) return;
  const tokens = meter.createCounter(DAGENT_METRICS.tokens, '1', 'LLM tokens');
  const kinds: Array<[string, number | undefined]> = [['input', usage.inputTokens], ['output', usage.outputTokens], ['cache_read', usage.cacheReadTokens], ['cache_write', usage.cacheWriteTokens]];
  for (const [kind, n] of kinds) if (n) tokens.add(n, { model, kind });
  if (usage.costUsd) meter.createCounter(DAGENT_METRICS.cost, '1', 'estimated LLM cost, millionths of a US dollar').add(Math.round(usage.costUsd * 1e6), { model });
}

/** A run's end: its tasks by final status, its outcome and makespan. */
export function recordRunEnd(meter: MetricMeter, outcome: string, tasks: ReadonlyArray<Pick<TaskRecord, 'backend' | 'status'>>, makespanMs: number): void {
  const byTask = meter.createCounter(DAGENT_METRICS.tasks, '1', 'tasks by final status');
  const counts = new Map<string, { backend: string; status: string; n: number }>();
  for (const t of tasks) {
    const key = `${t.backend}/${t.status}`;
    const entry = counts.get(key) ?? { backend: t.backend, status: t.status, n: 0 };
    entry.n++;
    counts.set(key, entry);
  }
  for (const { backend, status, n } of counts.values()) byTask.add(n, { backend, status });
  meter.createCounter(DAGENT_METRICS.runs, '1', 'runs by outcome').add(1, { outcome });
  meter.createHistogram(DAGENT_METRICS.runMakespan, 'int', 'ms', 'run makespan').record(Math.max(0, Math.round(makespanMs)), { outcome });
}
