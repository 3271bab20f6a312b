// "Waiting for a worker on dagent-gpu": a Running task whose activity no worker has taken for a
// while. The workflow cannot see this (an activity is Running to it from the moment it is
// scheduled), so the client reads it from Temporal's pending activities, its own and those of
// agent tasks' child workflows, and marks the view it shows.
import type { Client, WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time.js';
import proto from '@temporalio/proto';
import type { RunStatusView } from '../run/types';

/** Default: a task on a queue with a live worker starts in well under this. */
export const DEFAULT_WORKER_WAIT_MS = 10_000;
/** Agent tasks' child workflows described per refresh, at most. */
const MAX_CHILD_DESCRIBES = 10;

type PendingActivity = proto.temporal.api.workflow.v1.IPendingActivityInfo;
const SCHEDULED = proto.temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED;

/** The view with `waitingFor` set on each Running task whose work waited past `thresholdMs` untaken. */
export async function markWorkerWaits(
  client: Client,
  handle: WorkflowHandle,
  view: RunStatusView,
  thresholdMs: number = DEFAULT_WORKER_WAIT_MS,
  now: number = Date.now(),
  /** The run's description, when the caller has just fetched it. */
  described?: WorkflowExecutionDescription,
): Promise<RunStatusView> {
  const suspects = view.tasks.filter((t) => t.status === 'Running' && t.startedAt !== undefined && now - t.startedAt >= thresholdMs);
  if (suspects.length === 0) return view;
  const description = described ?? (await handle.describe());
  const runQueue = description.taskQueue;
  const waited = (a: PendingActivity) =>
    a.state === SCHEDULED && a.scheduledTime && now - tsToMs(a.scheduledTime) >= thresholdMs;

  const waiting = new Set<string>();
  const own = new Set<string>();
  for (const activity of description.raw.pendingActivities ?? []) {
    const taskId = /^task:(.+?)(?::\d+)?$/.exec(activity.activityId ?? '')?.[1];
    if (!taskId) continue;
    own.add(taskId);
    if (waited(activity)) waiting.add(taskId);
  }
  // An agent task works in its own child workflow (`<run>/<task>`): look at that one's activities.
  const children = suspects.filter((t) => !own.has(t.id)).slice(0, MAX_CHILD_DESCRIBES);
  await Promise.all(
    children.map(async (t) => {
      const child = (description.raw.pendingChildren ?? []).find((c) => c.workflowId === `${handle.workflowId}/${t.id}` || c.workflowId?.startsWith(`${handle.workflowId}/${t.id}:`));
      if (!child?.workflowId) return;
      const childDescription = await client.workflow.getHandle(child.workflowId).describe().catch(() => undefined);
      if ((childDescription?.raw.pendingActivities ?? []).some(waited)) waiting.add(t.id);
    }),
  );
  if (waiting.size === 0) return view;
  return { ...view, tasks: view.tasks.map((t) => (waiting.has(t.id) ? { ...t, waitingFor: t.queue ?? runQueue } : t)) };
}
