// Queries, signals and updates of the orchestrate workflow, named once for the workflow, the
// activities and the CLI. Updates answer with the run's new state, or fail and change nothing.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Plan } from '../plan/schema';
import type { AgentProgressNotice } from '../run/agentTypes';
import type { ApproveRequest, PatchRequest, RejectRequest, ReleaseRequest, RetryRequest, TaskRequest } from '../run/controlRequests';
import type { RunStatusView, TaskAttemptNotice, Usage } from '../run/types';

export const statusQuery = defineQuery<RunStatusView>('status');
export const planQuery = defineQuery<Plan>('plan');
export const usageQuery = defineQuery<Usage>('usage');

export const taskAttemptSignal = defineSignal<[TaskAttemptNotice]>('taskAttempt');
/** From an agent task's child workflow: its turn and current tool. */
export const agentProgressSignal = defineSignal<[AgentProgressNotice]>('agentProgress');

export const approveUpdate = defineUpdate<RunStatusView, [ApproveRequest]>('approve');
export const rejectUpdate = defineUpdate<RunStatusView, [RejectRequest]>('reject');
export const patchPlanUpdate = defineUpdate<RunStatusView, [PatchRequest]>('patchPlan');
export const retryTaskUpdate = defineUpdate<RunStatusView, [RetryRequest]>('retryTask');
export const skipTaskUpdate = defineUpdate<RunStatusView, [TaskRequest]>('skipTask');
export const cancelTaskUpdate = defineUpdate<RunStatusView, [TaskRequest]>('cancelTask');
/** A run held on a failure: stop holding, write the report from what finished. */
export const releaseUpdate = defineUpdate<RunStatusView, [ReleaseRequest]>('release');
