// Which built-in tools an agent task gets: reading always; writing only when the run allows
// writes; running programs only when it allows shell; a task's own `tools` narrows that set.
import { AGENT_TOOLS, type AgentToolName, type Task } from '../plan/schema';

const WRITING = new Set<AgentToolName>(['write_file', 'edit_file']);

export function allowedTools(task: Pick<Task, 'tools'>, allow: { allowWrites: boolean; allowShell: boolean }): AgentToolName[] {
  return AGENT_TOOLS.filter((name) => {
    if (WRITING.has(name) && !allow.allowWrites) return false;
    if (name === 'run_command' && !allow.allowShell) return false;
    return task.tools === undefined || task.tools.includes(name);
  });
}

/** What the model is told when it calls a tool it was not given. */
export function notAllowedMessage(name: string): string {
  if (WRITING.has(name as AgentToolName)) return `${name} is not allowed in this run: the run must allow writes (--allow-writes / allowWrites)`;
  if (name === 'run_command') return `${name} is not allowed in this run: the run must allow shell (--allow-shell / allowShell)`;
  return `${name} is not allowed for this task`;
}
