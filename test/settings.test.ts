// dagent's own settings: read in one place, typed, and a bad value names its variable.
import { describe, expect, it } from 'vitest';
import { readDagentSettings, SettingsError } from '../src/settings/dagentSettings';
import { llmSettingsFromEnv } from '../src/llm/settings';
import { LocalResultStore, resultStoreFromEnv } from '../src/store/resultStore';

describe('readDagentSettings', () => {
  it('gives defaults when nothing is set, and treats an empty variable as unset', () => {
    const settings = readDagentSettings({ DAGENT_MODEL: '', DAGENT_STORE: '' });
    expect(settings).toEqual({ llmRequestTimeoutMs: 600_000, logLevel: 'ERROR', shellEnv: [], workerWaitMs: 10_000, breakerFailures: 5, breakerCooldownMs: 30_000 });
  });

  it('reads every variable into its typed field', () => {
    const settings = readDagentSettings({
      DAGENT_MODEL: 'claude-opus-5-5',
      DAGENT_LLM_REQUEST_TIMEOUT_MS: '30000',
      DAGENT_TASK_QUEUE: 'team-a',
      DAGENT_LOG_LEVEL: 'warn',
      DAGENT_ENCRYPTION_KEY: 'k1:AAAA',
      DAGENT_STORE: 's3://bucket/prefix',
      DAGENT_RESULTS_DIR: '/var/results',
      DAGENT_SHELL_ENV: 'API_URL, REGION',
      DAGENT_WORKER_WAIT: '2m',
      DAGENT_BREAKER_FAILURES: '8',
      DAGENT_BREAKER_COOLDOWN: '1m',
    });
    expect(settings).toEqual({
      model: 'claude-opus-5-5',
      llmRequestTimeoutMs: 30_000,
      taskQueue: 'team-a',
      logLevel: 'WARN',
      encryptionKey: 'k1:AAAA',
      store: 's3://bucket/prefix',
      resultsDir: '/var/results',
      shellEnv: ['API_URL', 'REGION'],
      workerWaitMs: 120_000,
      breakerFailures: 8,
      breakerCooldownMs: 60_000,
    });
  });

  it.each([
    ['DAGENT_LLM_REQUEST_TIMEOUT_MS', 'ten', 'must be a whole number of milliseconds'],
    ['DAGENT_LLM_REQUEST_TIMEOUT_MS', '5', 'must be at least 1000'],
    ['DAGENT_TASK_QUEUE', 'a queue', 'must be letters, digits'],
    ['DAGENT_LOG_LEVEL', 'loud', 'must be one of TRACE, DEBUG, INFO, WARN, ERROR'],
    ['DAGENT_SHELL_ENV', 'API-URL', 'lists variable names'],
    ['DAGENT_WORKER_WAIT', '10', 'must be a duration'],
    ['DAGENT_BREAKER_FAILURES', '0', 'must be at least 1'],
    ['DAGENT_BREAKER_COOLDOWN', '1h', 'must be at most 5m'],
  ])('%s=%s is refused, naming the variable', (variable, value, reason) => {
    let error: unknown;
    try {
      readDagentSettings({ [variable]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SettingsError);
    expect((error as SettingsError).variable).toBe(variable);
    expect((error as Error).message).toContain(`${variable}: ${reason}`);
    expect((error as Error).message).toContain(`(it is "${value}")`);
  });

  it('is what the worker\'s LLM settings and result store are built from', () => {
    expect(llmSettingsFromEnv({ DAGENT_MODEL: 'm-1', DAGENT_LLM_REQUEST_TIMEOUT_MS: '2000', DAGENT_BREAKER_COOLDOWN: '10s' })).toMatchObject({
      defaultModel: 'm-1',
      requestTimeoutMs: 2000,
      breaker: { failures: 5, cooldownMs: 10_000, maxCooldownMs: 300_000 },
    });
    expect(() => llmSettingsFromEnv({ DAGENT_LLM_REQUEST_TIMEOUT_MS: 'soon' })).toThrow('DAGENT_LLM_REQUEST_TIMEOUT_MS');
    expect((resultStoreFromEnv({ DAGENT_RESULTS_DIR: '/tmp/r' }) as LocalResultStore).root).toBe('/tmp/r');
  });
});
