// `dagent plan "goal" -o plan.yaml`: plan only, and write the plan for review and editing.
import { planGoal } from '../workflows/planGoal';
import { dagentSettings } from '../settings/dagentSettings';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { definedOnly } from '../run/definedOnly';
import { loadConfig } from './config';
import { planningWorkdir } from './runCommand';
import { CliError, EXIT } from './exitCodes';
import { logLine, resolveTaskQueue, type ConnectionFlags } from './shared';
import { openSession } from './temporalSession';

export interface PlanFlags extends ConnectionFlags {
  output?: string;
  model?: string;
  maxTasks?: number;
  workdir?: string;
  worker: boolean;
}

export async function planCommand(goal: string, flags: PlanFlags): Promise<number> {
  if (flags.worker && !process.env.ANTHROPIC_API_KEY) {
    throw new CliError('ANTHROPIC_API_KEY is not set: export it (or run with --no-worker and a worker that has it)', EXIT.usage);
  }
  const { config } = await loadConfig();
  const taskQueue = resolveTaskQueue(flags.taskQueue, config.taskQueue);
  const session = await openSession({ ...flags, taskQueue });
  try {
    const model = flags.model ?? dagentSettings().model ?? config.model;
    const plan = await session.client.workflow.execute(planGoal, {
      taskQueue,
      workflowId: `dagent-plan-${randomBytes(3).toString('hex')}`,
      args: [{ goal, options: definedOnly({ model, maxTasks: flags.maxTasks, workdir: planningWorkdir(flags) }) }],
    });
    const text = flags.output?.endsWith('.json') ? `${JSON.stringify(plan, null, 2)}\n` : stringify(plan);
    if (flags.output) {
      await writeFile(flags.output, text);
      logLine(`dagent: wrote a plan of ${plan.tasks.length} tasks to ${flags.output}; run it with: npx dagent run --file ${flags.output}`);
    } else process.stdout.write(text);
    return EXIT.ok;
  } finally {
    await session.close();
  }
}
