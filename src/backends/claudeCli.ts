// The claude backend: `claude -p` with JSON output. Usage and cost are read from its JSON.
import { ApplicationFailure } from '@temporalio/activity';
import { claudePermissionFlags } from './cliFlags';
import { processFailure, runProcess } from './runProcess';
import type { Backend, BackendRequest, BackendResult } from './types';

interface ClaudeJson {
  result?: unknown;
  is_error?: boolean;
  total_cost_usd?: number;
  usage?: { input_tokens?: number; output_tokens?: number };
}

export function claudeArgs({ task, prompt, systemPrompt, model }: Pick<BackendRequest, 'task' | 'prompt' | 'systemPrompt' | 'model'>): string[] {
  const args = ['-p', prompt, '--output-format', 'json'];
  if (model) args.push('--model', model);
  if (task.maxTurns) args.push('--max-turns', String(task.maxTurns));
  if (systemPrompt) args.push('--append-system-prompt', systemPrompt);
  return [...args, ...claudePermissionFlags(task)];
}

export const claudeBackend: Backend = {
  async run(request: BackendRequest): Promise<BackendResult> {
    const { ctx, cwd } = request;
    const result = await runProcess(ctx, { command: 'claude', args: claudeArgs(request), cwd, env: process.env, label: 'claude' });
    if (result.exitCode !== 0) throw processFailure('claude', result, false, ctx.info.attempt);
    const json = parseJson<ClaudeJson>(result.stdout, 'claude', ctx.info.attempt);
    if (json.is_error || typeof json.result !== 'string') {
      throw ApplicationFailure.create({ message: `claude reported an error: ${String(json.result ?? 'no result')}`, type: 'BackendError', details: [{ attempt: ctx.info.attempt }] });
    }
    return {
      output: json.result,
      exitCode: 0,
      costUsd: json.total_cost_usd,
      model: request.model,
      usage: json.usage ? { inputTokens: json.usage.input_tokens ?? 0, outputTokens: json.usage.output_tokens ?? 0 } : undefined,
    };
  },
};

export function parseJson<T>(stdout: string, label: string, attempt: number): T {
  try {
    return JSON.parse(stdout) as T;
  } catch {
    throw ApplicationFailure.create({
      message: `${label} did not print the JSON result it was asked for; it printed: ${stdout.slice(0, 300) || '(nothing)'}`,
      type: 'BackendBadOutput',
      details: [{ attempt }],
    });
  }
}
