// `dagent rerun <id>`: a new run of an ended run's plan (patched if asked) that takes the outputs
// of the earlier run's unchanged tasks instead of running them again (they show as Reused and
// cost nothing); failed, cancelled, skipped and changed tasks, the tasks named by --from, and
// everything downstream of those run again. The earlier run's options apply again.
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { applyPlanPatch, PlanPatchSchema } from '../plan/planPatch';
import { readPlanData } from '../plan/readPlanFile';
import type { OrchestrateInput, Plan } from '../plan/schema';
import { formatProblems, validatePlan } from '../plan/validatePlan';
import type { RunResult } from '../run/types';
import { connectClient, resolveTemporal } from '../temporal/connect';
import { loadConfig } from './config';
import { CliError, EXIT } from './exitCodes';
import { startRun, type StartFlags } from './runCommand';
import { logLine } from './shared';

export interface RerunFlags extends StartFlags {
  /** Tasks to run again whatever their keys, with everything downstream. */
  from?: string[];
  /** A plan patch file applied to the earlier plan first. */
  patch?: string;
  /** With --prompt: the task whose prompt changes. */
  task?: string;
  prompt?: string;
}

export async function rerunCommand(earlierId: string, flags: RerunFlags): Promise<number> {
  if ((flags.task === undefined) !== (flags.prompt === undefined)) throw new CliError('--task and --prompt go together: the task whose prompt changes, and its new prompt', EXIT.usage);
  const earlier = await earlierResult(earlierId, flags);
  let plan: Plan = earlier.plan;
  if (flags.patch !== undefined) {
    const patch = PlanPatchSchema.safeParse(await readPlanData(flags.patch));
    if (!patch.success) throw new CliError(`invalid patch file\n${patch.error.issues.map((i) => `  ${flags.patch}: ${i.path.join('.') || '(file)'}: ${i.message}`).join('\n')}`, EXIT.usage);
    const patched = applyPlanPatch(plan, patch.data);
    if (!patched.ok) throw new CliError(`--patch ${flags.patch}: ${patched.message}`, EXIT.usage);
    plan = patched.plan;
  }
  if (flags.task !== undefined) {
    if (!plan.tasks.some((t) => t.id === flags.task)) throw new CliError(`--task: no task ${flags.task} in the plan of ${earlierId}`, EXIT.usage);
    plan = { ...plan, tasks: plan.tasks.map((t) => (t.id === flags.task ? { ...t, prompt: flags.prompt! } : t)) };
  }
  const unknown = (flags.from ?? []).filter((id) => !plan.tasks.some((t) => t.id === id));
  if (unknown.length > 0) throw new CliError(`--from: no task ${unknown.join(', ')} in the plan of ${earlierId}`, EXIT.usage);
  const checked = validatePlan(plan);
  if (!checked.ok) throw new CliError(`the patched plan is not valid:\n${formatProblems(checked.problems)}`, EXIT.usage);

  const input: OrchestrateInput = {
    plan: checked.plan,
    ...(earlier.options ? { options: earlier.options } : {}),
    reuseFrom: earlierId,
    ...(flags.from?.length ? { fromTasks: flags.from } : {}),
  };
  if (!earlier.options && !flags.json) logLine(`dagent: ${earlierId} predates rerun: its options are not known, so the defaults apply`);
  const { config } = await loadConfig();
  return startRun(input, flags, config.taskQueue, `rerun ${plan.goal ?? earlier.goal ?? earlierId}`);
}

/** The ended run's result: the plan it ran and the outputs to reuse. */
async function earlierResult(workflowId: string, flags: StartFlags): Promise<RunResult> {
  const target = await resolveTemporal({ address: flags.address, namespace: flags.namespace, profile: flags.profile, autoStart: false, log: logLine });
  const client = await connectClient(target);
  try {
    const handle = client.workflow.getHandle(workflowId);
    const described = await handle.describe().catch((err: unknown) => {
      throw err instanceof WorkflowNotFoundError ? new CliError(`no run ${workflowId}`, EXIT.usage) : err;
    });
    if (described.status.name === 'RUNNING') throw new CliError(`run ${workflowId} is still running: rerun it once it has ended (dagent retry changes a live run)`, EXIT.usage);
    try {
      return (await handle.result()) as RunResult;
    } catch (err) {
      if (err instanceof WorkflowFailedError) throw new CliError(`run ${workflowId} ended ${described.status.name.toLowerCase()} without a result to rerun: ${err.cause?.message ?? err.message}`, EXIT.usage);
      throw err;
    }
  } finally {
    await client.connection.close();
  }
}
