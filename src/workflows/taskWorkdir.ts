// Where a task works: which tasks run as agents with tools in a folder, and which folder. Pure.
import type { Task } from '../plan/schema';

/**
 * The folder an anthropic task works in as an agent with tools: its own workdir, else the run's.
 * Without one (and for outputSchema tasks, which keep their one corrective attempt) it is one
 * completion, as before.
 */
export function agentWorkdir(task: Task, runWorkdir: string | undefined): string | undefined {
  if ((task.backend ?? 'anthropic') !== 'anthropic' || task.decompose || task.outputSchema) return undefined;
  // A task's relative workdir is a part of the run's workspace (the planner narrows tasks so).
  return taskWorkdir(task, runWorkdir);
}

/** Whether the task runs as an agent with tools (a child workflow of turns), not as one activity. */
export function isAgentTask(task: Task, runWorkdir: string | undefined): boolean {
  return agentWorkdir(task, runWorkdir) !== undefined;
}

/** The folder a task works in: its own workdir (relative ones within the run's), else the run's. */
export function taskWorkdir(task: Task, runWorkdir: string | undefined): string | undefined {
  if (task.workdir === undefined) return runWorkdir;
  return runWorkdir !== undefined && !task.workdir.startsWith('/') ? `${runWorkdir.replace(/\/+$/, '')}/${task.workdir}` : task.workdir;
}
