// Builds the orchestrate input from a goal or a plan file, the config file and the CLI flags,
// with one precedence everywhere: CLI flag > plan file > config file > built-in default.
import { readPlanFile } from '../plan/readPlanFile';
import type { OrchestrateInput, Plan, RunOptions } from '../plan/schema';
import { definedOnly } from '../run/definedOnly';
import { DEFAULT_PRICES } from '../run/prices';
import { dagentSettings, type DagentSettings } from '../settings/dagentSettings';
import type { DagentConfig } from './config';

export interface RunInputFlags {
  file?: string;
  maxParallel?: number;
  maxTasks?: number;
  startOrder?: 'critical-path' | 'plan';
  failFast?: boolean;
  model?: string;
  allowShell?: boolean;
  allowWrites?: boolean;
  aggregate?: boolean;
  approvePlan?: boolean;
  approvalTimeout?: string;
  approvalTimeoutAction?: 'reject' | 'approve';
  budgetTokens?: number;
  budgetUsd?: number;
  cache?: boolean;
  /** --hold-on-failure: true, or how long to hold. */
  holdOnFailure?: boolean | string;
  reuse?: boolean;
  providerRetryFor?: string;
  /** The folder a goal is planned for, as the worker sees it. */
  workdir?: string;
}

export async function buildRunInput(goal: string | undefined, flags: RunInputFlags, config: DagentConfig, settings: Pick<DagentSettings, 'model'> = dagentSettings()): Promise<OrchestrateInput> {
  const model = flags.model ?? settings.model;
  const common: RunOptions = definedOnly({
    allowShell: flags.allowShell,
    allowWrites: flags.allowWrites,
    aggregate: flags.aggregate === false ? ('none' as const) : undefined,
    approval: flags.approvePlan ? ('plan' as const) : undefined,
    approvalTimeout: flags.approvalTimeout,
    approvalTimeoutAction: flags.approvalTimeoutAction,
    planCache: flags.cache === false ? false : undefined,
    holdOnFailure: flags.holdOnFailure,
    reuse: flags.reuse,
    providerRetryFor: flags.providerRetryFor,
    budget: flags.budgetTokens !== undefined || flags.budgetUsd !== undefined ? definedOnly({ maxTokens: flags.budgetTokens, maxCostUsd: flags.budgetUsd }) : undefined,
    prices: config.prices ? { ...DEFAULT_PRICES, ...config.prices } : undefined,
    mcpServers: config.mcpServers,
    queues: config.queues,
  });

  if (flags.file === undefined) {
    const options = definedOnly({ ...common, maxTasks: flags.maxTasks ?? config.maxTasks, maxParallel: flags.maxParallel ?? config.maxParallel, startOrder: flags.startOrder ?? config.startOrder, failFast: flags.failFast ?? config.failFast, model: model ?? config.model, workdir: flags.workdir });
    return { goal, options };
  }

  // Task defaults: config below the plan's own defaults, a --model flag above them.
  const plan: Plan = await readPlanFile(flags.file, (data) => {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return data;
    const own = data as Record<string, unknown>;
    const ownDefaults = typeof own.defaults === 'object' && own.defaults !== null ? (own.defaults as Record<string, unknown>) : {};
    const defaults = { ...(config.model ? { model: config.model } : {}), ...config.defaults, ...ownDefaults, ...(model ? { model } : {}) };
    return Object.keys(defaults).length > 0 ? { ...own, defaults } : own;
  });
  const options = definedOnly({
    ...common,
    maxParallel: flags.maxParallel ?? plan.maxParallel ?? config.maxParallel,
    maxTasks: flags.maxTasks ?? plan.maxTasks ?? config.maxTasks,
    startOrder: flags.startOrder ?? plan.startOrder ?? config.startOrder,
    failFast: flags.failFast ?? plan.failFast ?? config.failFast,
    model,
    workdir: flags.workdir,
  });
  return { plan: goal ? { ...plan, goal } : plan, options };
}

/** Whether the run calls the Anthropic API (planning or an anthropic task) and so needs a key. */
export function needsAnthropicKey(input: OrchestrateInput): boolean {
  if (input.goal !== undefined && input.plan === undefined) return true;
  return ((input.plan as Plan | undefined)?.tasks ?? []).some((t) => (t.backend ?? 'anthropic') === 'anthropic');
}
