// The gemini backend: `gemini -p` with JSON output ({ response, stats }).
import { ApplicationFailure } from '@temporalio/activity';
import type { Usage } from '../run/types';
import { parseJson } from './claudeCli';
import { geminiPermissionFlags } from './cliFlags';
import { processFailure, runProcess } from './runProcess';
import type { Backend, BackendRequest, BackendResult } from './types';

interface GeminiJson {
  response?: unknown;
  error?: { message?: string };
  stats?: { models?: Record<string, { tokens?: { prompt?: number; candidates?: number } }> };
}

export function geminiArgs({ task, prompt, systemPrompt, model }: Pick<BackendRequest, 'task' | 'prompt' | 'systemPrompt' | 'model'>): string[] {
  // Gemini CLI has no system-prompt flag: the instructions lead the prompt.
  const args = ['-p', systemPrompt ? `${systemPrompt}\n\n${prompt}` : prompt, '--output-format', 'json'];
  if (model) args.push('--model', model);
  return [...args, ...geminiPermissionFlags(task)];
}

export const geminiBackend: Backend = {
  async run(request: BackendRequest): Promise<BackendResult> {
    const { ctx, cwd } = request;
    const result = await runProcess(ctx, { command: 'gemini', args: geminiArgs(request), cwd, env: process.env, label: 'gemini' });
    if (result.exitCode !== 0) throw processFailure('gemini', result, false, ctx.info.attempt);
    const json = parseJson<GeminiJson>(result.stdout, 'gemini', ctx.info.attempt);
    if (json.error || typeof json.response !== 'string') {
      throw ApplicationFailure.create({ message: `gemini reported an error: ${json.error?.message ?? 'no response'}`, type: 'BackendError', details: [{ attempt: ctx.info.attempt }] });
    }
    return { output: json.response, exitCode: 0, usage: geminiUsage(json) };
  },
};

function geminiUsage(json: GeminiJson): Usage | undefined {
  const models = Object.values(json.stats?.models ?? {});
  if (models.length === 0) return undefined;
  return models.reduce<Usage>(
    (sum, m) => ({ inputTokens: sum.inputTokens + (m.tokens?.prompt ?? 0), outputTokens: sum.outputTokens + (m.tokens?.candidates ?? 0) }),
    { inputTokens: 0, outputTokens: 0 },
  );
}
