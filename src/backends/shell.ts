// The shell backend: `command` as an argv array (no shell) or a string (`sh -c`); stdout is the
// output. A non-zero exit fails the task with its exit code and the end of stderr, without
// retrying by default: a command that failed once will fail the same way again. The command
// starts with the worker's allow-listed environment plus the task's own `env`.
import { shellCommand } from './shellCommand';
import { processFailure, runProcess } from './runProcess';
import type { Backend, BackendRequest, BackendResult } from './types';

export const shellBackend: Backend = {
  async run({ task, cwd, ctx, shellEnv, upstream }: BackendRequest): Promise<BackendResult> {
    const { file, args, env: inputs } = shellCommand(task, new Map(upstream.map((u) => [u.id, u.text])));
    const env = { ...shellEnv, ...task.env, ...inputs, DAGENT_TASK_ID: task.id };
    const result = await runProcess(ctx, { command: file, args, cwd, env, label: `shell task ${task.id}` });
    if (result.exitCode !== 0) throw processFailure(`shell task ${task.id}`, result, true, ctx.info.attempt);
    return { output: result.stdout, exitCode: 0, truncated: result.truncated };
  },
};
