// Maps (forEach) in a run: a map task, when it starts, finds its items (listed in the plan, an
// upstream output, or a glob's files, through the mapItems activity), checks the run stays within
// maxTasks, and expands into one task per item, which the scheduler runs like any other (sharing
// maxParallel). Once every item has ended, the map completes with its items' outputs gathered in
// item order (gatherMap) or, past allowFailures, fails listing the items that failed.
// Workflow code: deterministic, I/O through activities.
import { ApplicationFailure, CancellationScope, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { allowedFailures } from '../plan/expandMap';
import type { Task } from '../plan/schema';
import type { GatherInput } from '../activities/mapItems';
import { Dictionary, outputFolderOf } from '../run/compactItems';
import type { TaskRecord, TaskStatus } from '../run/types';
import type { RunState } from './runState';

/** How many tasks a run may grow to with its maps' items when maxTasks is not given. */
export const DEFAULT_RUN_TASKS = 1000;

const mapActivities = proxyActivities<Activities>({ startToCloseTimeout: '5m', heartbeatTimeout: '1m', retry: { maximumAttempts: 3, initialInterval: '1s' } });

export interface MapSettings {
  maxTasks: number;
  /** The folder a glob map lists, for this task (its workdir, else the run's). */
  workdirOf: (task: Task) => string | undefined;
  /** A map failed beyond allowFailures: what a task failure does (failFast, critical). */
  onFailed: (task: Task) => void;
  /** Why a failure happened, in words. */
  describe: (err: unknown) => string;
}

/** Up to this many items a map's gather input lists them one by one; beyond, compactly. */
const LISTED_GATHER_ITEMS = 200;

/** What gatherMap needs of a map's items: ~40 bytes an item for a big map rather than ~150. */
function gatherInput(mapId: string, items: readonly TaskRecord[]): GatherInput {
  if (items.length <= LISTED_GATHER_ITEMS || !items.every((r) => r.outputRef === undefined || outputFolderOf(r) !== undefined)) {
    return { mapId, items: items.map((r) => ({ id: r.id, status: r.status, ...(r.outputRef ? { outputRef: r.outputRef } : {}), ...(r.error ? { error: r.error } : {}), ...(r.reason ? { reason: r.reason } : {}) })) };
  }
  const folders = new Dictionary();
  const rows = items.map((r): [TaskStatus, number, string?] => {
    const why = r.error ?? r.reason;
    const folder = outputFolderOf(r);
    const index = folder === undefined ? -1 : folders.index(folder);
    return why === undefined ? [r.status, index] : [r.status, index, why];
  });
  return { mapId, folders: folders.values, rows };
}

export class RunMaps {
  /** Maps whose ending is being written (gatherMap under way). */
  private readonly ending = new Set<string>();
  /** Maps finding their items (mapItems under way). */
  private fetching = 0;

  constructor(
    private readonly run: RunState,
    private readonly settings: MapSettings,
  ) {}

  /** Starts a map task: its items are found, then it expands. */
  start(task: Task): void {
    const table = this.run.table!;
    table.markRunning(task.id, Date.now());
    const scope = new CancellationScope();
    this.run.scopes.set(task.id, scope);
    this.fetching++;
    scope
      .run(() => this.itemsOf(task))
      .then(
        (items) => {
          this.fetching--;
          this.run.scopes.delete(task.id);
          if (table.get(task.id)?.status !== 'Running') return; // stopped meanwhile
          const grown = table.size() - table.mapItemIds(task.id).length + items.length;
          if (grown > this.settings.maxTasks) {
            table.markFailed(task.id, `map ${task.id} has ${items.length} items: the run would grow to ${grown} tasks, over maxTasks ${this.settings.maxTasks}`, 1, Date.now());
            this.settings.onFailed(task);
          } else table.expandMap(task.id, items);
          this.run.wake();
        },
        (err: unknown) => {
          this.fetching--;
          this.run.scopes.delete(task.id);
          const status = table.get(task.id)?.status;
          if (status === 'Running' && !isCancellation(err)) {
            table.markFailed(task.id, `map ${task.id}: ${this.settings.describe(err)}`, 1, Date.now());
            this.settings.onFailed(task);
          } else if (status === 'Running') table.cancelByOperator(task.id, 'run cancelled', Date.now());
          this.run.wake();
        },
      );
  }

  /** Whether a map is still finding its items or writing its ending, or waits for its items. */
  busy(): boolean {
    return this.inFlight() || this.run.table!.openMaps().length > 0;
  }

  /** Whether a map activity is under way (a run may hand over only without one). */
  inFlight(): boolean {
    return this.ending.size > 0 || this.fetching > 0;
  }

  /** Ends the maps whose items have all ended. */
  endFinished(): void {
    const table = this.run.table!;
    for (const mapId of table.mapsToEnd()) {
      if (this.ending.has(mapId)) continue;
      const items = table.mapItemIds(mapId).map((id) => table.get(id)!);
      const task = table.task(mapId);
      const failed = items.filter((r) => r.status !== 'Completed' && r.status !== 'Reused');
      const allowed = allowedFailures(task.forEach ?? {}, items.length);
      if (failed.length > allowed) {
        const listed = failed.slice(0, 5).map((r) => `${r.id}: ${r.error ?? r.reason ?? r.status.toLowerCase()}`).join('; ');
        table.markFailed(mapId, `${failed.length} of ${items.length} items failed (allowFailures ${allowed}): ${listed}${failed.length > 5 ? '; …' : ''}`, 1, Date.now());
        this.settings.onFailed(task);
        continue;
      }
      this.ending.add(mapId);
      mapActivities
        .gatherMap(gatherInput(mapId, items))
        .then(
          (outcome) => {
            if (table.get(mapId)?.status === 'Running') table.markCompleted(mapId, outcome, Date.now());
          },
          (err: unknown) => {
            if (table.get(mapId)?.status === 'Running') table.markFailed(mapId, `map ${mapId}: its items' outputs could not be gathered: ${this.settings.describe(err)}`, 1, Date.now());
          },
        )
        .finally(() => {
          this.ending.delete(mapId);
          this.run.wake();
        });
    }
  }

  private async itemsOf(task: Task): Promise<unknown[]> {
    const forEach = task.forEach!;
    if (forEach.items) return forEach.items;
    if (forEach.from !== undefined) {
      const outputRef = this.run.table!.get(forEach.from)?.outputRef;
      if (!outputRef) throw ApplicationFailure.nonRetryable(`${forEach.from} has no output to take the items from`);
      return (await mapActivities.mapItems({ outputRef, taskId: forEach.from })).items;
    }
    const workdir = this.settings.workdirOf(task);
    if (workdir === undefined) throw ApplicationFailure.nonRetryable(`forEach.glob needs a folder: give the task a workdir, or the run --workdir`);
    return (await mapActivities.mapItems({ glob: forEach.glob!, workdir })).items;
  }
}
