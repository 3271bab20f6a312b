// The backends by name.
import type { BackendName } from '../plan/schema';
import { anthropicBackend } from './anthropic';
import { claudeBackend } from './claudeCli';
import { codexBackend } from './codexCli';
import { geminiBackend } from './geminiCli';
import { shellBackend } from './shell';
import type { Backend } from './types';

export const BACKEND_REGISTRY: Record<BackendName, Backend> = {
  anthropic: anthropicBackend,
  claude: claudeBackend,
  codex: codexBackend,
  gemini: geminiBackend,
  shell: shellBackend,
};
