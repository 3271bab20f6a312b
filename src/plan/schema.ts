// The one description of a plan and of the orchestrate workflow's input, shared by the CLI,
// the activities and the workflow. Pure: safe to import from workflow code.
import { z } from 'zod';

export const PLAN_LIMITS = {
  maxTasks: 500,
  maxPromptChars: 100_000,
  maxTitleChars: 200,
  maxGoalChars: 20_000,
  maxDependencies: 100,
  maxPlanBytes: 1_000_000,
} as const;

/** Ids become file names in the result store and activity ids, so they stay plain. */
const TaskId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1-64 letters, digits, "-", "_" or "." and start with a letter or digit')
  .refine((id) => !id.includes('..'), 'must not contain ".."');

/** A number of seconds, or a string such as "90s", "5m", "1h". */
export const DurationSchema = z.union([
  z.number().positive().max(86_400),
  z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'must be a duration such as "90s", "5m" or "1h"'),
]);
export type Duration = z.infer<typeof DurationSchema>;

export const BackendSchema = z.enum(['anthropic']);

export const TaskSchema = z
  .object({
    id: TaskId,
    title: z.string().trim().min(1).max(PLAN_LIMITS.maxTitleChars),
    prompt: z.string().trim().min(1, 'must not be empty').max(PLAN_LIMITS.maxPromptChars),
    dependsOn: z.array(z.string()).max(PLAN_LIMITS.maxDependencies).optional(),
    backend: BackendSchema.optional(),
    model: z.string().min(1).optional(),
    systemPrompt: z.string().max(PLAN_LIMITS.maxPromptChars).optional(),
    maxTokens: z.number().int().min(1).max(128_000).optional(),
    /** Retries after the first attempt (so 2 means at most 3 attempts). */
    retries: z.number().int().min(0).max(20).optional(),
    /** Start-to-close timeout of one attempt. */
    timeout: DurationSchema.optional(),
    estimatedMinutes: z.number().positive().max(10_000).optional(),
  })
  .strict();
export type Task = z.infer<typeof TaskSchema>;

export const PlanSchema = z
  .object({
    goal: z.string().max(PLAN_LIMITS.maxGoalChars).optional(),
    tasks: z.array(TaskSchema).min(1, 'a plan needs at least one task').max(PLAN_LIMITS.maxTasks),
  })
  .strict();
export type Plan = z.infer<typeof PlanSchema>;

export const RunOptionsSchema = z
  .object({
    maxParallel: z.number().int().min(1).max(500).optional(),
    failFast: z.boolean().optional(),
    model: z.string().min(1).optional(),
    /** Default start-to-close timeout of a task attempt when the task sets none. */
    taskTimeout: DurationSchema.optional(),
    /** How long a silent worker keeps a task before Temporal hands it to another. */
    heartbeatTimeout: DurationSchema.optional(),
    /** First retry delay; later ones double. */
    retryInitialInterval: DurationSchema.optional(),
    /** Largest number of tasks the planner may produce. */
    maxTasks: z.number().int().min(1).max(PLAN_LIMITS.maxTasks).optional(),
  })
  .strict();
export type RunOptions = z.infer<typeof RunOptionsSchema>;

export const OrchestrateInputSchema = z
  .object({
    goal: z.string().trim().min(1).max(PLAN_LIMITS.maxGoalChars).optional(),
    plan: z.unknown().optional(),
    options: RunOptionsSchema.optional(),
  })
  .strict()
  .refine((input) => (input.goal === undefined) !== (input.plan === undefined), {
    message: 'give exactly one of "goal" and "plan"',
    path: ['goal'],
  });
/** The plan stays `unknown` here: validatePlan reports its problems task by task. */
export type OrchestrateInput = { goal?: string; plan?: Plan | unknown; options?: RunOptions };

export const DEFAULT_OPTIONS = {
  maxParallel: 4,
  failFast: false,
  taskTimeout: '10m',
  heartbeatTimeout: '30s',
  retryInitialInterval: '2s',
  retries: 2,
  maxTasks: 12,
} as const;

export function toTemporalDuration(d: Duration): string {
  return typeof d === 'number' ? `${d}s` : d;
}
