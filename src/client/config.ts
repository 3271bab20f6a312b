// The optional config file: dagent.config.yaml in the working directory, else
// ~/.config/dagent/config.yaml. It sits below the plan file and the CLI flags in precedence.
import { access } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { readPlanData } from '../plan/readPlanFile';
import { McpServersSchema, RunOptionsSchema, TaskDefaultsSchema } from '../plan/schema';
import { CliError, EXIT } from './exitCodes';

const ConfigSchema = z
  .object({
    maxParallel: z.number().int().min(1).max(500).optional(),
    startOrder: z.enum(['critical-path', 'plan']).optional(),
    failFast: z.boolean().optional(),
    /** The most tasks a run may grow to with its maps' items. */
    maxTasks: RunOptionsSchema.shape.maxTasks,
    model: z.string().min(1).optional(),
    taskQueue: z.string().min(1).optional(),
    /** A skill queue per backend, e.g. { claude: claude }: those tasks go to `<taskQueue>-claude` unless they name their own. */
    queues: RunOptionsSchema.shape.queues,
    defaults: TaskDefaultsSchema.optional(),
    /** US dollars per million tokens by model name or prefix; merged over the built-in table. */
    prices: RunOptionsSchema.shape.prices,
    /** MCP servers for agent tasks: { name: { command, args, env } }. */
    mcpServers: McpServersSchema.optional(),
  })
  .strict();
export type DagentConfig = z.infer<typeof ConfigSchema>;

const ALIASES: Record<string, string> = { max_tasks: 'maxTasks', max_parallel: 'maxParallel', start_order: 'startOrder', fail_fast: 'failFast', task_queue: 'taskQueue', mcp_servers: 'mcpServers' };

export function configPaths(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string[] {
  return [join(cwd, 'dagent.config.yaml'), join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'dagent', 'config.yaml')];
}

export async function loadConfig(paths = configPaths()): Promise<{ config: DagentConfig; file?: string }> {
  for (const file of paths) {
    if (!(await exists(file))) continue;
    const data = (await readPlanData(file)) ?? {};
    const renamed = typeof data === 'object' && !Array.isArray(data) ? Object.fromEntries(Object.entries(data).map(([k, v]) => [ALIASES[k] ?? k, v])) : data;
    const parsed = ConfigSchema.safeParse(renamed);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `  ${file}: ${i.path.join('.') || '(file)'}: ${i.message}`).join('\n');
      throw new CliError(`invalid config file\n${problems}`, EXIT.usage);
    }
    return { config: parsed.data, file };
  }
  return { config: {} };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
