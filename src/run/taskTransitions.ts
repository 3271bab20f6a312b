// The task state machine: every status a task can be in and the moves allowed out of it. The
// task table moves a task only through `canMove`; anything else is a bug and fails loudly. Pure.
import type { TaskStatus } from './types';

export const TASK_TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  // Its dependencies are not all done: it becomes ready, or one of them failed and it is skipped.
  Pending: ['Waiting', 'AwaitingApproval', 'Skipped', 'Cancelled'],
  // Ready, waiting for a person (requiresApproval).
  AwaitingApproval: ['Waiting', 'Skipped', 'Reused', 'Cancelled'],
  // Ready, waiting for a free slot.
  Waiting: ['Running', 'Skipped', 'Reused', 'Cancelled'],
  Running: ['Retrying', 'Completed', 'Failed', 'Cancelled'],
  Retrying: ['Completed', 'Failed', 'Cancelled'],
  Completed: [],
  Reused: [],
  // An operator's retry reopens it; in a held run an operator's skip accepts the failure.
  Failed: ['Pending', 'Skipped'],
  // A retry of the task that caused the skip reopens it.
  Skipped: ['Pending'],
  Cancelled: ['Pending'],
};

export function canMove(from: TaskStatus, to: TaskStatus): boolean {
  return from === to || TASK_TRANSITIONS[from].includes(to);
}
