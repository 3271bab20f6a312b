// The codex backend: `codex exec`, its final message written to a file we read back.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CODEX_FLAGS } from './cliFlags';
import { processFailure, runProcess } from './runProcess';
import type { Backend, BackendRequest, BackendResult } from './types';

export function codexArgs({ task, prompt, systemPrompt, model }: Pick<BackendRequest, 'task' | 'prompt' | 'systemPrompt' | 'model'>, lastMessageFile: string): string[] {
  // The approval policy is a global option, so it goes before `exec`.
  const args = [...CODEX_FLAGS.approval[task.approvalMode ?? 'default'], 'exec', '--skip-git-repo-check', '--output-last-message', lastMessageFile];
  if (model) args.push('--model', model);
  args.push(...CODEX_FLAGS.sandbox[task.sandboxMode ?? 'default']);
  // Codex has no system-prompt flag: the instructions lead the prompt.
  return [...args, systemPrompt ? `${systemPrompt}\n\n${prompt}` : prompt];
}

export const codexBackend: Backend = {
  async run(request: BackendRequest): Promise<BackendResult> {
    const { ctx, cwd } = request;
    const dir = await mkdtemp(join(tmpdir(), 'dagent-codex-'));
    try {
      const lastMessage = join(dir, 'last-message.txt');
      const result = await runProcess(ctx, { command: 'codex', args: codexArgs(request, lastMessage), cwd, env: process.env, label: 'codex' });
      if (result.exitCode !== 0) throw processFailure('codex', result, false, ctx.info.attempt);
      const lastText = await readFile(lastMessage, 'utf8').catch(() => undefined);
      // The answer is the last-message file; stdout (and its cut) matters only without one.
      return lastText !== undefined ? { output: lastText, exitCode: 0 } : { output: result.stdout, exitCode: 0, truncated: result.truncated };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
