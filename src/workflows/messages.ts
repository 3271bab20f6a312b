// Queries and signals of the orchestrate workflow, named once for the workflow, activities and CLI.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { RunStatusView, TaskAttemptNotice } from '../run/types';

export const statusQuery = defineQuery<RunStatusView>('status');
export const taskAttemptSignal = defineSignal<[TaskAttemptNotice]>('taskAttempt');
