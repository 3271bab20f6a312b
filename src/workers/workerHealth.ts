// Whether a worker's pollers are live, for /healthz (a container's health check): every Temporal
// worker of the process runs, and none of its pollers has failed. Pure over the SDK's status.
import type { WorkerStatus } from '@temporalio/worker';

export interface WorkerHealth {
  live: boolean;
  queues: Array<{ taskQueue: string; runState: string; workflowPoller: string; activityPoller: string }>;
}

export function workerHealth(workers: ReadonlyArray<{ taskQueue: string; status: Pick<WorkerStatus, 'runState' | 'workflowPollerState' | 'activityPollerState'> }>): WorkerHealth {
  const queues = workers.map(({ taskQueue, status }) => ({ taskQueue, runState: status.runState, workflowPoller: status.workflowPollerState, activityPoller: status.activityPollerState }));
  const live = queues.length > 0 && queues.every((q) => q.runState === 'RUNNING' && q.workflowPoller !== 'FAILED' && q.activityPoller !== 'FAILED');
  return { live, queues };
}
