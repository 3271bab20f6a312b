// One streamed Messages API call, made inside an activity: it heartbeats while the answer
// arrives, stops when Temporal cancels the activity, and classifies any error. Provider trouble
// is ridden out inside the attempt (providerRetries), behind the worker's circuit breaker.
import Anthropic from '@anthropic-ai/sdk';
import { ApplicationFailure, type Context } from '@temporalio/activity';
import type { Usage } from '../run/types';
import { LLM_FAILURE_TYPES, classifyLlmError } from './classifyLlmError';
import type { LlmSettings } from './settings';
import { heartbeatEveryMs } from '../temporal/heartbeatInterval';
import { breakerFor, DEFAULT_PATIENCE, withProviderRetries, type BreakerLog, type Patience, type WaitNotice } from './providerRetries';

/** What an activity needs to reach the LLM: the worker's settings, and where breaker changes are logged. */
export interface LlmAccess {
  llm: LlmSettings;
  onBreakerChange?: BreakerLog;
}

/** How one call waits out provider trouble, and how it tells the live table that it waits. */
export interface CallPatience {
  patience?: Patience;
  notice?: WaitNotice;
}

export type MessageParams = Anthropic.MessageCreateParamsNonStreaming;

export interface ModelAnswer {
  message: Anthropic.Message;
  text: string;
  usage: Usage;
}

/** One client per worker's settings: its connection pool is reused across calls. */
const clients = new WeakMap<LlmSettings, Anthropic>();

export function createAnthropicClient(settings: LlmSettings): Anthropic {
  const known = clients.get(settings);
  if (known) return known;
  if (!settings.apiKey) {
    throw ApplicationFailure.create({
      message: "ANTHROPIC_API_KEY is not set in the worker's environment; set it where the worker runs",
      type: 'MissingApiKey',
      nonRetryable: true,
    });
  }
  const client = new Anthropic({ apiKey: settings.apiKey, baseURL: settings.baseURL, maxRetries: 0, timeout: settings.requestTimeoutMs });
  clients.set(settings, client);
  return client;
}

export async function callModel(ctx: Context, access: LlmAccess, params: MessageParams, how: CallPatience = {}): Promise<ModelAnswer> {
  const client = createAnthropicClient(access.llm);
  const breaker = breakerFor(access.llm, 'anthropic', access.llm.breaker, access.onBreakerChange);
  const callTimeoutMs = how.patience?.callTimeoutMs;
  const timeout = callTimeoutMs === undefined ? undefined : Math.min(callTimeoutMs, access.llm.requestTimeoutMs);
  return withProviderRetries(ctx, breaker, how.patience ?? DEFAULT_PATIENCE, () => streamOnce(ctx, client, params, timeout), how.notice);
}

/** `timeout`: how long to wait for the response to begin; no first byte by then is provider trouble. */
async function streamOnce(ctx: Context, client: Anthropic, params: MessageParams, timeout: number | undefined): Promise<ModelAnswer> {
  let receivedChars = 0;
  /** Whether the API had answered (its response arrived) before an error: then a failure is a cut stream, not an unreachable API. */
  let answerStarted = false;
  // No beat at the start: a quick answer needs none (each would be an RPC to the server), and a
  // slow one beats on this cadence, which the SDK throttles further.
  const beat = () => ctx.heartbeat({ receivedChars });
  const interval = setInterval(beat, heartbeatEveryMs(ctx));
  try {
    const stream = client.messages.stream(params, { signal: ctx.cancellationSignal, ...(timeout !== undefined ? { timeout } : {}) });
    stream.on('connect', () => {
      answerStarted = true;
    });
    stream.on('text', (delta) => {
      receivedChars += delta.length;
    });
    stream.on('inputJson', (delta) => {
      receivedChars += delta.length;
    });
    const message = await stream.finalMessage();
    const text = message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
    if (message.stop_reason === 'refusal') {
      throw ApplicationFailure.create({ message: 'the model refused to answer', type: LLM_FAILURE_TYPES.refused, nonRetryable: true });
    }
    const usage: Usage = { inputTokens: message.usage.input_tokens, outputTokens: message.usage.output_tokens };
    if (message.usage.cache_read_input_tokens) usage.cacheReadTokens = message.usage.cache_read_input_tokens;
    if (message.usage.cache_creation_input_tokens) usage.cacheWriteTokens = message.usage.cache_creation_input_tokens;
    return { message, text, usage };
  } catch (err) {
    if (ctx.cancellationSignal.aborted) throw err;
    throw classifyLlmError(err, ctx.info.attempt, answerStarted ? { receivedChars } : undefined);
  } finally {
    clearInterval(interval);
  }
}
