// A task with decompose: true runs as a child orchestrate run that plans its prompt and runs its
// own DAG; the child's report becomes the task's output. Depth and a task cap across the whole
// tree stop runaway splitting. Deterministic workflow code.
import { ApplicationFailure, ChildWorkflowCancellationType, executeChild, ParentClosePolicy, workflowInfo } from '@temporalio/workflow';
import { RunOptionsSchema, type RunOptions, type Task } from '../plan/schema';
import { previewOf } from '../text/shortenText';
import type { RunResult, TaskOutcome, UpstreamOutput } from '../run/types';

export interface SubPlanSettings {
  goal?: string;
  options: RunOptions & { maxDepth: number; maxTasks: number };
  /** Tasks this sub-plan may have, its own and its descendants'. */
  taskShare: number;
}

/** Why this task cannot be split, or undefined when it can. */
export function subPlanRefusal(task: Task, settings: SubPlanSettings): string | undefined {
  const depth = (settings.options.subPlan?.depth ?? 0) + 1;
  if (depth > settings.options.maxDepth) {
    return `${task.id} cannot be split: sub-plans may nest ${settings.options.maxDepth} deep (maxDepth); give it a plain prompt or raise maxDepth`;
  }
  if (settings.taskShare < 1) return `${task.id} cannot be split: the cap of tasks across the tree (maxTreeTasks) leaves no room for its sub-plan`;
  return undefined;
}

export async function runSubPlan(task: Task, upstream: UpstreamOutput[], settings: SubPlanSettings): Promise<TaskOutcome> {
  const refusal = subPlanRefusal(task, settings);
  if (refusal) throw ApplicationFailure.nonRetryable(refusal, 'SubPlanRefused');
  const parent = settings.options.subPlan;
  const fork = (task.context ?? 'fork') === 'fork';
  // Hand down what the input schema knows (defaults such as `retries` are internal), but neither
  // the parent's own link nor plan approval: only the root run waits for a person.
  const inheritable = Object.fromEntries(
    Object.entries(settings.options).filter(([key]) => key in RunOptionsSchema.shape && key !== 'subPlan' && key !== 'approval'),
  ) as RunOptions;
  const result = (await executeChild('orchestrate', {
    workflowId: `${workflowInfo().workflowId}/${task.id}`,
    args: [
      {
        goal: task.prompt!,
        options: {
          ...inheritable,
          maxTasks: Math.min(settings.options.maxTasks, settings.taskShare),
          maxTreeTasks: settings.taskShare,
          // A sub-plan always ends with a report: it is the task's output.
          aggregate: settings.options.aggregate === 'none' ? 'plain' : settings.options.aggregate,
          subPlan: {
            depth: (parent?.depth ?? 0) + 1,
            ancestors: fork ? [...(parent?.ancestors ?? []), ...(settings.goal ? [settings.goal] : [])] : [],
            // Without the outputs' hashes (a worker's check of its own copies, not part of a run's input).
            inherited: fork ? [...(parent?.inherited ?? []), ...upstream.map(({ id, title, outputRef }) => ({ id, title, outputRef }))] : [],
          },
        } satisfies RunOptions,
      },
    ],
    staticSummary: `${task.id} · ${task.title} (sub-plan)`,
    cancellationType: ChildWorkflowCancellationType.TRY_CANCEL,
    parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
  })) as RunResult;

  if (result.status !== 'Completed') {
    throw ApplicationFailure.nonRetryable(
      `sub-plan ended ${result.status}: ${result.stats.completed} of ${result.stats.totalTasks} tasks completed (${result.workflowId})`,
      'SubPlanFailed',
    );
  }
  const report = result.report;
  return {
    outputRef: result.reportRef!,
    preview: previewOf(report),
    outputBytes: report.length,
    usage: result.usage,
    attempt: 1,
    truncated: false,
  };
}
