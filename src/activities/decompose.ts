// decompose: the planner. Claude answers through the submit_plan tool; an invalid plan is sent
// back with the exact validation message, at most twice, and never repaired silently.
import type Anthropic from '@anthropic-ai/sdk';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { createHash } from 'node:crypto';
import { DEFAULT_PRICES, withCost } from '../run/prices';
import { lineageSections } from '../run/taskPrompt';
import { callModel } from '../llm/callModel';
import { planJsonSchema } from '../plan/planJsonSchema';
import { outputSchemaProblems } from '../plan/outputSchemaProblems';
import { unsafeTaskProblems } from '../plan/planSafety';
import type { Plan } from '../plan/schema';
import { formatProblems, validatePlan, type PlanProblem } from '../plan/validatePlan';
import { addUsage, NO_USAGE, type DecomposeInput, type DecomposeOutcome, type Usage } from '../run/types';
import type { ActivityDeps } from './deps';

export const MAX_PLAN_REPAIRS = 2;
const TOOL_NAME = 'submit_plan';

export function plannerSystemPrompt(maxTasks: number): string {
  return [
    'You are the planner of dagent. Split the goal into a small dependency graph (DAG) of tasks that AI agents run in parallel.',
    'Every task must be:',
    '- one job: a single, clearly bounded piece of work;',
    '- independently executable: its prompt plus the outputs of the tasks it depends on hold everything it needs;',
    '- verifiable: its prompt says what the output must contain;',
    '- safe to retry: running it twice does no harm.',
    `Prefer a few tasks of minutes over many tasks of seconds; use at most ${maxTasks} tasks.`,
    'Depend only on tasks whose output a task really needs, so independent work runs at once. No cycles.',
    'Use ids T-01, T-02, … and short titles. Do not add a final merge task: dagent merges all outputs into a report itself.',
    'When you are shown the workspace, split the work by its real modules and name in each prompt the files or folders that task owns, with paths exactly as listed.',
    'When the same work applies to each of many items (each file, each document, each endpoint), write ONE map task with forEach, not a copy per item:',
    'forEach: { items: [...] } when you know the items; { glob: "src/**/*.ts" } for files of the workspace; { from: "T-01" } to take them from a task that lists them',
    '(its output a JSON array or one item per line; it must be in dependsOn). The map\'s prompt names the item as {{item}} (and its position as {{index}}).',
    'A map counts as one task; a task depending on it gets every item\'s output. Add allowFailures when some items may fail without failing the map.',
    `Answer only by calling ${TOOL_NAME}.`,
  ].join('\n');
}

export async function decompose(deps: ActivityDeps, input: DecomposeInput): Promise<DecomposeOutcome> {
  const ctx = Context.current();
  const model = input.model ?? deps.llm.defaultModel;
  const workspaceText = input.workspace ? await deps.store.get(input.workspace.summaryRef) : undefined;
  const cacheKey = `plans/${planCacheKey(input, model, workspaceText)}.json`;
  if (input.useCache) {
    const cached = await deps.store.get(cacheKey).then((text) => JSON.parse(text) as Plan, () => undefined);
    const valid = cached && validatePlan(cached);
    if (valid && valid.ok && planPolicyProblems(valid.plan, input).length === 0) return { plan: valid.plan, usage: NO_USAGE, answers: 0, cached: true };
  }
  const planned = await planWithModel(deps, ctx, input, model, workspaceText);
  if (input.useCache !== false) await deps.store.put(cacheKey, JSON.stringify(planned.plan));
  return { ...planned, usage: withCost(planned.usage, model, input.prices ?? DEFAULT_PRICES) };
}

/** The same goal, options, model and planner instructions give the same key. */
function planCacheKey(input: DecomposeInput, model: string, workspaceText: string | undefined): string {
  const basis = JSON.stringify({
    goal: input.goal,
    model,
    maxTasks: input.maxTasks,
    allowShell: input.allowShell,
    allowWrites: input.allowWrites,
    ancestors: input.ancestors ?? [],
    inherited: (input.inherited ?? []).map((u) => u.outputRef),
    // A changed workspace is planned anew.
    workspace: workspaceText === undefined ? undefined : createHash('sha256').update(workspaceText).digest('hex'),
    planner: plannerSystemPrompt(input.maxTasks),
  });
  return createHash('sha256').update(basis).digest('hex').slice(0, 32);
}

async function planWithModel(deps: ActivityDeps, ctx: Context, input: DecomposeInput, model: string, workspaceText: string | undefined): Promise<DecomposeOutcome> {
  const tool: Anthropic.Tool = {
    name: TOOL_NAME,
    description: 'Submit the plan: the tasks with their dependencies.',
    input_schema: planJsonSchema() as Anthropic.Tool.InputSchema,
  };
  const inherited = await Promise.all((input.inherited ?? []).map(async (u) => ({ id: u.id, title: u.title, text: await deps.store.get(u.outputRef) })));
  const context = lineageSections({ ancestors: input.ancestors, inherited });
  const workspace = workspaceText === undefined ? [] : [`## The workspace the tasks work on\n${workspaceText}`];
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: [...context, ...workspace, `Goal:\n${input.goal}`].join('\n\n') }];
  let usage: Usage = NO_USAGE;
  let lastProblems = '';

  for (let answers = 1; answers <= MAX_PLAN_REPAIRS + 1; answers++) {
    const answer = await callModel(ctx, deps, {
      model,
      max_tokens: 16_000,
      system: plannerSystemPrompt(input.maxTasks),
      tools: [tool],
      tool_choice: { type: 'tool', name: TOOL_NAME },
      messages,
    }, { patience: input.patience });
    usage = addUsage(usage, answer.usage);
    messages.push({ role: 'assistant', content: answer.message.content });

    const call = answer.message.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use' && b.name === TOOL_NAME);
    if (!call) {
      lastProblems = `- the answer did not call ${TOOL_NAME}`;
      messages.push({ role: 'user', content: `You must answer by calling ${TOOL_NAME}.` });
      continue;
    }
    const validation = validatePlan(call.input);
    const problems = validation.ok ? planPolicyProblems(validation.plan, input) : validation.problems;
    if (validation.ok && problems.length === 0) return { plan: { ...validation.plan, goal: validation.plan.goal ?? input.goal }, usage, answers };

    lastProblems = formatProblems(problems);
    messages.push({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: call.id, is_error: true, content: `The plan is invalid:\n${lastProblems}\nCall ${TOOL_NAME} again with a corrected plan.` }],
    });
  }
  throw ApplicationFailure.create({
    message: `the planner returned an invalid plan ${MAX_PLAN_REPAIRS + 1} times; last problems:\n${lastProblems}`,
    type: 'InvalidPlan',
    nonRetryable: true,
  });
}

/** What a valid plan from the planner must also respect: the task cap and the run's allowances. */
export function planPolicyProblems(plan: Plan, input: DecomposeInput): PlanProblem[] {
  const problems = [...unsafeTaskProblems(plan, input), ...outputSchemaProblems(plan)];
  if (plan.tasks.length > input.maxTasks) problems.push({ path: 'tasks', message: `${plan.tasks.length} tasks; use at most ${input.maxTasks}` });
  return problems;
}
