// The one interface every backend implements: run one task's prompt (or command) and return
// its output. A backend heartbeats while it works and stops when the signal aborts.
import type { Context } from '@temporalio/activity';
import type { LlmAccess } from '../llm/callModel';
import type { WaitNotice } from '../llm/providerRetries';
import type { Task } from '../plan/schema';
import type { PromptParts, UpstreamText } from '../run/taskPrompt';
import type { Patience, Usage } from '../run/types';

export interface BackendRequest {
  task: Task;
  /** The full prompt: goal, upstream outputs, task, output instructions. */
  prompt: string;
  /** The same prompt in parts, for backends that can cache the shared part. */
  parts?: PromptParts;
  systemPrompt?: string;
  /** The model to use; undefined leaves the choice to the backend's own default. */
  model?: string;
  /** Absolute working directory, checked to exist. */
  cwd?: string;
  /** The dependencies' outputs, whole (shell tasks fill their command's templates from them). */
  upstream: UpstreamText[];
  /** The worker's variables a shell task may see (an allow-list). */
  shellEnv: NodeJS.ProcessEnv;
  ctx: Context;
  llm: LlmAccess;
  /** How an LLM backend rides out provider trouble, and how it shows that it waits. */
  patience?: Patience;
  notice?: WaitNotice;
}

export interface BackendResult {
  output: string;
  exitCode?: number;
  usage?: Usage;
  costUsd?: number;
  /** The model that answered, where known. */
  model?: string;
  /** The output was cut: by the model's token limit or by the capture cap. */
  truncated?: boolean;
}

export interface Backend {
  run(request: BackendRequest): Promise<BackendResult>;
}
