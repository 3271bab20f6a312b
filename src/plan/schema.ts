// The one description of a plan and of the orchestrate workflow's input, shared by the CLI,
// the activities and the workflow. Pure: safe to import from workflow code.
import { z } from 'zod';
import { isPagedRef, type PagedRef } from '../text/pages';
import { sharedValue } from './sharedValue';

export const PLAN_LIMITS = {
  maxTasks: 500,
  maxPromptChars: 100_000,
  maxTitleChars: 200,
  maxGoalChars: 20_000,
  maxDependencies: 100,
  maxPlanBytes: 1_000_000,
} as const;

const DURATION_TEXT = /^\d+(\.\d+)?(ms|s|m|h)$/;

/**
 * A number of seconds, or a string such as "90s", "5m", "1h", within bounds: Temporal refuses to
 * schedule an activity with a zero timeout, and a workflow that asks it to fails in a loop, so
 * nothing out of bounds may reach the workflow.
 */
export function durationSchema(minMs: number, maxMs: number) {
  return z
    .union([z.number().finite(), z.string().regex(DURATION_TEXT, 'must be a duration such as "90s", "5m" or "1h"')])
    .refine((d) => {
      const ms = durationToMs(d);
      return ms >= minMs && ms <= maxMs;
    }, `must be between ${formatMs(minMs)} and ${formatMs(maxMs)} (a number is seconds)`);
}

const SECOND = 1000;
const HOUR = 3_600_000;
export type Duration = number | string;

function formatMs(ms: number): string {
  return ms % HOUR === 0 ? `${ms / HOUR}h` : ms % SECOND === 0 ? `${ms / SECOND}s` : `${ms}ms`;
}

export const BACKENDS = ['anthropic', 'claude', 'codex', 'gemini', 'shell'] as const;

/**
 * The built-in tools of an anthropic agent task; names and input fields are a contract. The first
 * three read, the next two write (with allowWrites), run_command runs a program (with allowShell).
 */
export const AGENT_TOOLS = ['list_files', 'read_file', 'search', 'write_file', 'edit_file', 'run_command'] as const;
export type AgentToolName = (typeof AGENT_TOOLS)[number];

/** The most items one map (forEach) may expand into, and the most tasks a run may grow to. */
export const MAX_RUN_TASKS = 10_000;

/**
 * The schemas, made once per process and shared (see sharedValue): in a worker, workflow modules
 * are evaluated anew for each run, and making these took ~4 ms of every run's first workflow task.
 */
function makePlanSchemas() {
  /** Ids become file names in the result store and activity ids, so they stay plain. */
  const TaskId = z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1-64 letters, digits, "-", "_" or "." and start with a letter or digit')
    .refine((id) => !id.includes('..'), 'must not contain ".."');

  /** One attempt of a task. */
  const TimeoutSchema = durationSchema(SECOND, 24 * HOUR);
  const HeartbeatTimeoutSchema = durationSchema(SECOND, HOUR);
  /** Retry delays are not timeouts: the server takes any positive one, and tests want short ones. */
  const RetryIntervalSchema = durationSchema(10, HOUR);
  const ApprovalTimeoutSchema = durationSchema(SECOND, 30 * 24 * HOUR);
  /** How long provider trouble is ridden out; short ones for tests, at most a day. */
  const ProviderRetrySchema = durationSchema(10, 24 * HOUR);

  /**
   * A skill queue: a task naming one runs on task queue `<taskQueue>-<queue>`, served only by the
   * workers started with `dagent worker --queue <queue>` (the ones with that CLI, GPU or key).
   */
  const QueueNameSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'a queue name is 1-63 lower-case letters, digits, "-" or "_", starting with a letter or digit');

  const BackendSchema = z.enum(BACKENDS);

  /** An MCP server an agent task may use: a program the worker starts, speaking MCP on stdio. */
  const McpServerSchema = z
    .object({ command: z.string().min(1), args: z.array(z.string()).max(100).optional(), env: z.record(z.string(), z.string()).optional() })
    .strict();
  /** By name; an agent sees a server's tool `t` as `NAME__t`. */
  const McpServersSchema = z.record(z.string().regex(/^[A-Za-z0-9-]{1,32}$/, 'an MCP server name is 1-32 letters, digits or "-"'), McpServerSchema);

  /**
   * A map: the task runs once per item. Exactly one source: `items` listed here, `from` an upstream
   * task's output (a JSON array, else one item per non-empty line), or `glob` the files under the
   * task's workdir when the map starts. `allowFailures`: how many items may fail (a whole number)
   * or what share of them (below 1) before the map fails.
   */
  const ForEachSchema = z
    .object({
      items: z.array(z.unknown()).min(1, 'a map needs at least one item').max(MAX_RUN_TASKS).optional(),
      from: z.string().min(1).optional(),
      glob: z.string().min(1).max(500).optional(),
      allowFailures: z.number().min(0).optional(),
    })
    .strict()
    .refine((f) => [f.items, f.from, f.glob].filter((x) => x !== undefined).length === 1, { message: 'give exactly one of items, from and glob' });

  /** clinvk's approval and sandbox modes; each CLI backend maps them to its own flags. */
  const ApprovalModeSchema = z.enum(['default', 'auto', 'none', 'always']);
  const SandboxModeSchema = z.enum(['default', 'read-only', 'workspace', 'full']);

  const TaskFields = z
    .object({
      id: TaskId,
      title: z.string().trim().min(1).max(PLAN_LIMITS.maxTitleChars),
      /** What the agent is asked; shell tasks run `command` instead and need none. */
      prompt: z.string().trim().min(1, 'must not be empty').max(PLAN_LIMITS.maxPromptChars).optional(),
      dependsOn: z.array(z.string()).max(PLAN_LIMITS.maxDependencies).optional(),
      backend: BackendSchema.optional(),
      /** The skill queue the task's work goes to (see QueueNameSchema); default: the run's own task queue. */
      queue: QueueNameSchema.optional(),
      workdir: z.string().min(1).optional(),
      maxTurns: z.number().int().min(1).max(1000).optional(),
      /** Anthropic agent tasks: once its turns used this many tokens, the next turn must answer without tools. */
      tokenBudget: z.number().int().min(1).max(100_000_000).optional(),
      /** Anthropic agent tasks: narrows the built-in tools the agent may use. */
      tools: z.array(z.enum(AGENT_TOOLS)).max(AGENT_TOOLS.length).optional(),
      approvalMode: ApprovalModeSchema.optional(),
      sandboxMode: SandboxModeSchema.optional(),
      /** Shell tasks: an argv array (run without a shell) or a string (run with `sh -c`). */
      command: z.union([z.string().min(1), z.array(z.string()).min(1)]).optional(),
      /** Shell tasks: variables added to the allow-listed environment the command starts with. */
      env: z.record(z.string(), z.string().max(PLAN_LIMITS.maxPromptChars)).optional(),
      /** Its failure fails the run at once, as failFast would. */
      critical: z.boolean().optional(),
      /** When ready, the task waits in AwaitingApproval until a person approves or rejects it. */
      requiresApproval: z.boolean().optional(),
      /** Run the task as a sub-plan: a child run plans its prompt and runs its own DAG; its report is the output. */
      decompose: z.boolean().optional(),
      /** For a sub-plan: "fork" (default) hands down the goal chain and this task's dependency outputs; "spawn" starts clean. */
      context: z.enum(['fork', 'spawn']).optional(),
      /** Prose told to the agent about the output it must give. */
      expectedOutput: z.string().max(PLAN_LIMITS.maxPromptChars).optional(),
      /** JSON Schema the output must parse and validate against. */
      outputSchema: z.record(z.string(), z.unknown()).optional(),
      tags: z.array(z.string().max(100)).max(50).optional(),
      meta: z.record(z.string(), z.unknown()).optional(),
      model: z.string().min(1).optional(),
      systemPrompt: z.string().max(PLAN_LIMITS.maxPromptChars).optional(),
      maxTokens: z.number().int().min(1).max(128_000).optional(),
      /** Retries after the first attempt (so 2 means at most 3 attempts). */
      retries: z.number().int().min(0).max(20).optional(),
      /** Start-to-close timeout of one attempt. */
      timeout: TimeoutSchema.optional(),
      estimatedMinutes: z.number().positive().max(10_000).optional(),
      /** false: never taken from the cross-run cache (`reuse`), for work whose result must be fresh. */
      cache: z.boolean().optional(),
      /** Run the task once per item ({{item}} and {{index}} in its prompt or argv command). */
      forEach: ForEachSchema.optional(),
    })
    .strict();

  const TaskSchema = TaskFields.superRefine((task, ctx) => {
      const backend = task.backend ?? 'anthropic';
      if (backend === 'shell' && task.command === undefined) ctx.addIssue({ code: 'custom', path: ['command'], message: 'a shell task needs a command' });
      if (backend !== 'shell' && task.command !== undefined) ctx.addIssue({ code: 'custom', path: ['command'], message: `only shell tasks take a command (backend is ${backend})` });
      for (const name of Object.keys(task.env ?? {})) {
        if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name)) ctx.addIssue({ code: 'custom', path: ['env', name], message: 'must be a variable name: letters, digits and "_"' });
      }
      if (backend !== 'shell' && task.env !== undefined) ctx.addIssue({ code: 'custom', path: ['env'], message: `only shell tasks take env (backend is ${backend})` });
      if (backend !== 'shell' && task.prompt === undefined) ctx.addIssue({ code: 'custom', path: ['prompt'], message: 'is required' });
      if (task.decompose && backend !== 'anthropic') ctx.addIssue({ code: 'custom', path: ['decompose'], message: `only anthropic tasks can be split into a sub-plan (backend is ${backend})` });
      if (task.decompose && task.queue !== undefined) ctx.addIssue({ code: 'custom', path: ['queue'], message: 'does not apply to a task with decompose: true (the tasks of its sub-plan name their own queues)' });
      if (task.context && !task.decompose) ctx.addIssue({ code: 'custom', path: ['context'], message: 'applies only to a task with decompose: true' });
      if (task.forEach && task.decompose) ctx.addIssue({ code: 'custom', path: ['forEach'], message: 'a map cannot also be a sub-plan (decompose: true)' });
      if (task.forEach?.from !== undefined && !(task.dependsOn ?? []).includes(task.forEach.from)) {
        ctx.addIssue({ code: 'custom', path: ['forEach', 'from'], message: `"${task.forEach.from}" must be one of the task's dependencies (dependsOn), since the items are its output` });
      }
  });

  /** Fields of a task that `defaults` may set for every task. */
  const TaskDefaultsSchema = TaskFields.pick({
    backend: true,
    queue: true,
    model: true,
    systemPrompt: true,
    maxTokens: true,
    maxTurns: true,
    approvalMode: true,
    sandboxMode: true,
    workdir: true,
    retries: true,
    timeout: true,
    tags: true,
  });

  /** What a plan may say about how its run goes, in a plan file and in a plan alike. */
  const planRunFields = {
    goal: z.string().max(PLAN_LIMITS.maxGoalChars).optional(),
    maxParallel: z.number().int().min(1).max(500).optional(),
    /** When ready tasks outnumber free slots: the longest chain still ahead first (default), or plan order. */
    startOrder: z.enum(['critical-path', 'plan']).optional(),
    failFast: z.boolean().optional(),
    /** The most tasks the run may grow to with its maps' items (default 1,000, at most 10,000). */
    maxTasks: z.number().int().min(1).max(MAX_RUN_TASKS).optional(),
  };

  /**
   * The plan file as people write it, for editors: ids and titles may be left out, `defaults`
   * apply to every task, and `steps` is a chain. (clinvk's snake_case aliases are accepted too.)
   */
  const PlanFileSchema = z
    .object({
      ...planRunFields,
      defaults: TaskDefaultsSchema.optional(),
      mcpServers: McpServersSchema.optional(),
      tasks: z.array(TaskFields.partial({ id: true, title: true })).min(1).max(PLAN_LIMITS.maxTasks).optional(),
      steps: z.array(TaskFields.partial({ id: true, title: true }).extend({ name: z.string().optional() })).min(1).max(PLAN_LIMITS.maxTasks).optional(),
    })
    .strict();

  const PlanSchema = z
    .object({
      ...planRunFields,
      /** MCP servers the plan's agent tasks may use (a plan made by the LLM may not declare any). */
      mcpServers: McpServersSchema.optional(),
      tasks: z.array(TaskSchema).min(1, 'a plan needs at least one task').max(PLAN_LIMITS.maxTasks),
    })
    .strict();

  const RunOptionsSchema = z
    .object({
      maxParallel: z.number().int().min(1).max(500).optional(),
      /** When ready tasks outnumber free slots: the longest chain still ahead first (default), or plan order. */
      startOrder: z.enum(['critical-path', 'plan']).optional(),
      failFast: z.boolean().optional(),
      model: z.string().min(1).optional(),
      /** Default start-to-close timeout of a task attempt when the task sets none. */
      taskTimeout: TimeoutSchema.optional(),
      /** How long a silent worker keeps a task before Temporal hands it to another. */
      heartbeatTimeout: HeartbeatTimeoutSchema.optional(),
      /** First retry delay; later ones double. */
      retryInitialInterval: RetryIntervalSchema.optional(),
      /** How long an LLM task rides out provider trouble (429, 529, 5xx, unreachable) without using up its retries. */
      providerRetryFor: ProviderRetrySchema.optional(),
      /** Largest number of tasks the planner may produce (default 12), and of tasks the run may grow to with its maps' items (default 1,000). */
      maxTasks: z.number().int().min(1).max(MAX_RUN_TASKS).optional(),
      /** Let an LLM-made plan contain shell tasks. */
      allowShell: z.boolean().optional(),
      /** Let an LLM-made plan contain CLI tasks that may write (sandbox workspace or full). */
      allowWrites: z.boolean().optional(),
      /** "llm" (default), "plain" (status table and outputs, no LLM) or "none". */
      aggregate: z.enum(['llm', 'plain', 'none']).optional(),
      /** "plan": after planning, wait for a person to approve, reject or edit the plan. */
      approval: z.enum(['none', 'plan']).optional(),
      /** How long a plan or task approval may wait. */
      approvalTimeout: ApprovalTimeoutSchema.optional(),
      /** What happens when an approval times out. */
      approvalTimeoutAction: z.enum(['reject', 'approve']).optional(),
      /** Publish DagentStatus, DagentProgress and DagentTokens (the server must have them registered). */
      searchAttributes: z.boolean().optional(),
      /** Once reached, no new task starts; running ones finish; the run ends BudgetExceeded. */
      budget: z
        .object({ maxTokens: z.number().int().positive().optional(), maxCostUsd: z.number().positive().optional() })
        .strict()
        .optional(),
      /** US dollars per million tokens by model (name or prefix), for cost estimates and the budget. */
      prices: z
        .record(z.string(), z.object({ input: z.number().min(0), output: z.number().min(0), cacheRead: z.number().min(0).optional(), cacheWrite: z.number().min(0).optional() }).strict())
        .optional(),
      /** Reuse the last plan made for the same goal, options and model (default true). */
      planCache: z.boolean().optional(),
      /** When a task fails for good, hold the run (phase Held) for retry, skip, patch or release instead of writing the report; true holds for approvalTimeout, a duration for that long; then it is released. */
      holdOnFailure: z.union([z.boolean(), ApprovalTimeoutSchema]).optional(),
      /** Continue as new once the run's history has this many events (default 8,000): the history of each run in the chain stays bounded. */
      continueAsNewAfter: z.number().int().min(50).max(40_000).optional(),
      /** Take a task's output from any earlier run's with the same reuse key (spec, model, inputs) instead of running it; tasks with cache: false always run. */
      reuse: z.boolean().optional(),
      /** The folder the run works on, on the workers: the planner is shown a summary of it. */
      workdir: z.string().min(1).max(4096).optional(),
      /** MCP servers for the run's agent tasks (from the config file; a plan's own win by name). */
      mcpServers: McpServersSchema.optional(),
      /** A skill queue per backend, for tasks that name none (from the config file's `queues`). */
      queues: z.partialRecord(BackendSchema, QueueNameSchema).optional(),
      /** How deep sub-plans may nest (default 2). */
      maxDepth: z.number().int().min(0).max(10).optional(),
      /** Most tasks across the whole tree of sub-plans (default 200). */
      maxTreeTasks: z.number().int().min(1).max(10_000).optional(),
      /** Set by a parent run for its sub-plan: how deep it is, its ancestors' goals, what it inherits. */
      subPlan: z
        .object({
          depth: z.number().int().min(1).max(10),
          ancestors: z.array(z.string().max(PLAN_LIMITS.maxGoalChars)).max(10),
          inherited: z.array(z.object({ id: z.string(), title: z.string(), outputRef: z.string() }).strict()).max(PLAN_LIMITS.maxDependencies),
        })
        .strict()
        .optional(),
    })
    .strict();

  const OrchestrateInputSchema = z
    .object({
      goal: z.string().trim().min(1).max(PLAN_LIMITS.maxGoalChars).optional(),
      plan: z.unknown().optional(),
      /** A big plan, stored in the result store as pages of JSON (dagent run does this past 200 KB). */
      planRef: z.custom<PagedRef>(isPagedRef, 'is a reference to a plan in the result store: { pages: [refs], chars }').optional(),
      options: RunOptionsSchema.optional(),
      /** A rerun: unchanged tasks take their outputs from this earlier run (its workflow id). */
      reuseFrom: z.string().min(1).max(1000).optional(),
      /** With reuseFrom: these tasks, and everything downstream of them, run again whatever their keys. */
      fromTasks: z.array(z.string().min(1)).max(PLAN_LIMITS.maxTasks).optional(),
      /** Set by the run itself when it continues as new: its state so far (not for people to write). */
      carried: z.custom<object>((v) => typeof v === 'object' && v !== null && Array.isArray((v as { table?: { records?: unknown } }).table?.records), 'is the state a run carries when it continues as new').optional(),
      /** The same, in the result store, when it is too big to travel inline. */
      carriedRef: z.custom<PagedRef>(isPagedRef, 'is a reference to carried state in the result store').optional(),
    })
    .strict()
    .refine((input) => [input.goal, input.plan, input.planRef].filter((v) => v !== undefined).length === 1, {
      message: 'give exactly one of "goal", "plan" and "planRef"',
      path: ['goal'],
    });

  return { TimeoutSchema, HeartbeatTimeoutSchema, RetryIntervalSchema, ApprovalTimeoutSchema, ProviderRetrySchema, QueueNameSchema, BackendSchema, McpServerSchema, McpServersSchema, ForEachSchema, ApprovalModeSchema, SandboxModeSchema, TaskSchema, TaskDefaultsSchema, PlanFileSchema, PlanSchema, RunOptionsSchema, OrchestrateInputSchema };
}

export const { TimeoutSchema, HeartbeatTimeoutSchema, RetryIntervalSchema, ApprovalTimeoutSchema, ProviderRetrySchema, QueueNameSchema, BackendSchema, McpServerSchema, McpServersSchema, ForEachSchema, ApprovalModeSchema, SandboxModeSchema, TaskSchema, TaskDefaultsSchema, PlanFileSchema, PlanSchema, RunOptionsSchema, OrchestrateInputSchema } = sharedValue('plan-schemas', makePlanSchemas);

export type BackendName = z.infer<typeof BackendSchema>;
export type McpServers = z.infer<typeof McpServersSchema>;
export type ForEach = z.infer<typeof ForEachSchema>;
export type Task = z.infer<typeof TaskSchema>;
export type Plan = z.infer<typeof PlanSchema>;
export type RunOptions = z.infer<typeof RunOptionsSchema>;

/** The plan stays `unknown` here: validatePlan reports its problems task by task. */
export type OrchestrateInput = { goal?: string; plan?: Plan | unknown; planRef?: PagedRef; options?: RunOptions; reuseFrom?: string; fromTasks?: string[]; carried?: object; carriedRef?: PagedRef };

export const DEFAULT_OPTIONS = {
  maxParallel: 4,
  startOrder: 'critical-path',
  failFast: false,
  taskTimeout: '10m',
  heartbeatTimeout: '30s',
  retryInitialInterval: '2s',
  providerRetryFor: '30m',
  retries: 2,
  maxTasks: 12,
  allowShell: false,
  allowWrites: false,
  aggregate: 'llm',
  approval: 'none',
  approvalTimeout: '24h',
  approvalTimeoutAction: 'reject',
  searchAttributes: false,
  planCache: true,
  maxDepth: 2,
  maxTreeTasks: 200,
} as const;

export function toTemporalDuration(d: Duration): string {
  return typeof d === 'number' ? `${d}s` : d;
}

/** A duration in milliseconds: numbers are seconds, strings carry their unit. */
export function durationToMs(d: Duration): number {
  if (typeof d === 'number') return d * 1000;
  const [, value, unit] = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(d) ?? [, 'NaN', 'ms'];
  return Number(value) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
}
