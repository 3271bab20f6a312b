// Reuse in a run: a task that is ready takes an earlier output instead of running when its reuse
// key (its spec, model and its inputs' hashes) matches: that of the same task in the run being
// rerun (`reuseFrom`), or, with `reuse: true`, any output filed under that key in the store.
// Tasks named by `fromTasks`, and everything downstream of them, always run again; sub-plans
// always run; the cross-run cache skips tasks marked `cache: false` and agent tasks (the
// folder they read may have changed). Workflow code: deterministic, I/O through activities.
import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { reuseKeyOf, withDescendants } from '../plan/reuseKey';
import type { Task } from '../plan/schema';
import type { TaskTable } from '../run/taskTable';
import type { ReusableOutput } from '../run/types';

export interface ReuseSettings {
  /** The run being rerun. */
  reuseFrom?: string;
  /** Tasks to run again whatever their keys (with everything downstream of them). */
  fromTasks?: string[];
  /** Look tasks up in the cross-run cache. */
  cache: boolean;
  /** The run's model, part of each key for tasks that name none. */
  model?: string;
  /** Whether a task works as an agent in a folder (never taken from the cross-run cache). */
  isAgentTask: (task: Task) => boolean;
}

const lookups = proxyActivities<Activities>({ startToCloseTimeout: '2m', retry: { maximumAttempts: 3, initialInterval: '1s' } });

export class ReuseOutputs {
  private readonly checked = new Set<string>();

  private constructor(
    private readonly table: TaskTable,
    private readonly settings: ReuseSettings,
    private readonly earlier: ReadonlyMap<string, ReusableOutput>,
    private readonly runAgain: ReadonlySet<string>,
  ) {}

  /** Loads what the rerun run left (one activity, only for a rerun). */
  static async load(table: TaskTable, settings: ReuseSettings): Promise<ReuseOutputs> {
    const earlier = new Map<string, ReusableOutput>();
    if (settings.reuseFrom !== undefined) {
      try {
        const found = await proxyActivities<Activities>({ activityId: 'reuse-from', summary: `reuse · outputs of ${settings.reuseFrom}`, startToCloseTimeout: '5m', retry: { maximumAttempts: 3, initialInterval: '1s' } }).earlierRun({ workflowId: settings.reuseFrom });
        for (const output of found.outputs) earlier.set(output.taskId, output);
      } catch (err) {
        const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
        throw ApplicationFailure.nonRetryable(`cannot reuse outputs of ${settings.reuseFrom}: ${cause instanceof Error ? cause.message : String(cause)}`, 'ReuseFromFailed');
      }
    }
    return new ReuseOutputs(table, settings, earlier, withDescendants(table.plan().tasks, settings.fromTasks ?? []));
  }

  /** Whether this run looks for outputs to reuse at all. */
  get active(): boolean {
    return this.settings.reuseFrom !== undefined || this.settings.cache;
  }

  /** The task's key, once every input it depends on has a known hash. */
  keyOf(task: Task): string | undefined {
    // A glob map's items are files that may have changed: its key cannot see them.
    if (task.decompose || task.forEach?.glob !== undefined) return undefined;
    return reuseKeyOf(task, this.settings.model, (task.dependsOn ?? []).map((d) => this.table.get(d)?.outputHash));
  }

  /** Filed for the cross-run cache when it completes: deterministic one-call work only. */
  cacheable(task: Task): boolean {
    return !task.decompose && task.cache !== false && !this.settings.isAgentTask(task);
  }

  /**
   * Marks ready tasks Reused where an earlier output fits, and again for the tasks that this
   * makes ready, until none fits. Returns how many it reused.
   */
  async takeReady(now: number): Promise<number> {
    let total = 0;
    for (;;) {
      let reused = 0;
      const wanted: Array<{ id: string; key: string }> = [];
      for (const r of this.table.view()) {
        if ((r.status !== 'Waiting' && r.status !== 'AwaitingApproval') || this.checked.has(r.id)) continue;
        this.checked.add(r.id);
        const task = this.table.task(r.id);
        if (this.runAgain.has(r.id)) continue;
        const key = this.keyOf(task);
        if (key === undefined) continue;
        const earlier = this.earlier.get(r.id);
        if (earlier?.reuseKey === key) {
          this.table.markReused(r.id, earlier);
          reused++;
        } else if (this.settings.cache && this.cacheable(task)) wanted.push({ id: r.id, key });
      }
      if (wanted.length > 0) {
        const found = new Map((await lookups.findReusable({ keys: wanted.map((w) => w.key) })).map((o) => [o.reuseKey, o]));
        for (const { id, key } of wanted) {
          const status = this.table.get(id)?.status;
          const hit = found.get(key);
          // An operator may have moved the task while the store was read.
          if (hit && (status === 'Waiting' || status === 'AwaitingApproval')) {
            this.table.markReused(id, hit);
            reused++;
          }
        }
      }
      total += reused;
      if (reused === 0) return total;
      this.table.promoteReady(now);
    }
  }
}
