// A shell task's command with its templates filled in. Upstream outputs never become shell code:
// in an argv array a template becomes (part of) one argument; in a string run by `sh -c` it
// becomes a double-quoted variable, "$DAGENT_OUTPUT_n" (n: the dependency's place in dependsOn,
// from 1), set in the command's environment. Pure.
import { replaceTemplates } from '../plan/templates';
import type { Task } from '../plan/schema';

/** Linux refuses a single argument or variable over 128 KiB (MAX_ARG_STRLEN); stay below it. */
export const MAX_SHELL_INPUT_BYTES = 100 * 1024;

export interface ShellCommand {
  file: string;
  args: string[];
  /** Variables the command needs for its templates. */
  env: Record<string, string>;
}

export function shellCommand(task: Task, outputs: Map<string, string>): ShellCommand {
  const dependsOn = task.dependsOn ?? [];
  const command = task.command!;
  if (Array.isArray(command)) {
    const [file, ...args] = command.map((arg) => replaceTemplates(arg, dependsOn, (id) => fitForArgument(outputs.get(id))));
    return { file: file!, args, env: {} };
  }
  const env: Record<string, string> = {};
  const script = replaceTemplates(command, dependsOn, (id) => {
    const place = dependsOn.indexOf(id) + 1;
    const text = outputs.get(id);
    if (place < 1 || text === undefined) return undefined;
    env[`DAGENT_OUTPUT_${place}`] = fitForArgument(text)!;
    return `"$DAGENT_OUTPUT_${place}"`;
  });
  return { file: 'sh', args: ['-c', script], env };
}

function fitForArgument(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const bytes = Buffer.from(text, 'utf8');
  // NUL cannot travel in an argument or a variable.
  const fitted = bytes.length <= MAX_SHELL_INPUT_BYTES ? text : bytes.subarray(0, MAX_SHELL_INPUT_BYTES).toString('utf8').replace(/\uFFFD$/, '');
  return fitted.replace(/\0/g, '');
}
