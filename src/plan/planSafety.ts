// What an LLM-made plan may not contain unless the run allows it: shell tasks, and AI CLI tasks
// that may write. Plans a person wrote run as written. Pure.
import type { Plan } from './schema';
import type { PlanProblem } from './validatePlan';

export interface SafetyAllowances {
  allowShell: boolean;
  allowWrites: boolean;
}

const WRITING_SANDBOXES = new Set(['workspace', 'full']);

export function unsafeTaskProblems(plan: Plan, allow: SafetyAllowances): PlanProblem[] {
  // An MCP server is a program the worker starts: only a person's plan or config may name one.
  const servers: PlanProblem[] = plan.mcpServers ? [{ path: 'mcpServers', message: 'a plan made by the LLM may not declare MCP servers; declare them in the config file or a plan file' }] : [];
  return servers.concat(plan.tasks.flatMap((task, i): PlanProblem[] => {
    const backend = task.backend ?? 'anthropic';
    if (backend === 'shell' && !allow.allowShell) {
      return [{ taskId: task.id, path: `tasks[${i}].backend`, message: 'shell tasks are not allowed in a plan made by the LLM (the run can allow them with --allow-shell)' }];
    }
    if (backend !== 'shell' && backend !== 'anthropic' && WRITING_SANDBOXES.has(task.sandboxMode ?? 'default') && !allow.allowWrites) {
      return [{ taskId: task.id, path: `tasks[${i}].sandboxMode`, message: `sandboxMode "${task.sandboxMode}" lets the agent write; not allowed in a plan made by the LLM (the run can allow it with --allow-writes)` }];
    }
    // The planner may narrow a task to a part of the run's workspace, never point it elsewhere.
    if (task.workdir !== undefined && !isInsideWorkspace(task.workdir)) {
      return [{ taskId: task.id, path: `tasks[${i}].workdir`, message: 'a plan made by the LLM may only name a folder inside the run\'s workspace: a relative path without ".."' }];
    }
    return [];
  }));
}

function isInsideWorkspace(workdir: string): boolean {
  return !workdir.startsWith('/') && !workdir.startsWith('~') && !/^[A-Za-z]:/.test(workdir) && !workdir.split(/[\\/]/).includes('..');
}
