import { readDagentSettings, type DagentSettings } from '../settings/dagentSettings';
import { DEFAULT_BREAKER, type BreakerSettings } from './circuitBreaker';

// LLM settings of a worker, read from its own environment: the key never leaves the worker.
// The current Sonnet: older defaults reach end of life, and the SDK warns on every call to them.
export const DEFAULT_MODEL = 'claude-sonnet-5-5';

export interface LlmSettings {
  apiKey?: string;
  baseURL?: string;
  defaultModel: string;
  /** One HTTP request's limit; Temporal's timeouts bound the whole attempt. */
  requestTimeoutMs: number;
  /** The worker's circuit breaker for the provider (default: 5 failures in a row, 30 s doubling to 5 min). */
  breaker?: BreakerSettings;
}

export function llmSettingsFromEnv(env: NodeJS.ProcessEnv = process.env, settings: DagentSettings = readDagentSettings(env)): LlmSettings {
  return {
    apiKey: env.ANTHROPIC_API_KEY || undefined,
    baseURL: env.ANTHROPIC_BASE_URL || undefined,
    defaultModel: settings.model ?? DEFAULT_MODEL,
    requestTimeoutMs: settings.llmRequestTimeoutMs,
    breaker: { ...DEFAULT_BREAKER, failures: settings.breakerFailures, cooldownMs: settings.breakerCooldownMs },
  };
}
