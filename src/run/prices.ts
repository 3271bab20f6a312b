// Cost estimates from a price table keyed by model (exact name, else the longest matching
// prefix). The built-in table can be replaced or extended in the config file. Pure.
import type { PriceTable, Usage } from './types';

/**
 * US dollars per million tokens, as published; check current prices and override them in
 * dagent.config.yaml. One key per model, never a bare family such as `claude-opus-4` or
 * `claude-haiku`: a prefix also prices the model's dated snapshots (claude-haiku-4-5-20251001),
 * but a family key would give a model with no published price (claude-haiku-5-5, mythos), or
 * a retired one with another price (claude-opus-4-0 was 15/75), a made-up cost instead of none.
 */
const OPUS_4_5_TO_5 = { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 };
const SONNET_5 = { input: 2, output: 10, cacheRead: 0.2, cacheWrite: 2.5 };
const SONNET_4 = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };
const FABLE_5 = { input: 10, output: 50, cacheRead: 1, cacheWrite: 12.5 };

export const DEFAULT_PRICES: PriceTable = {
  'claude-fable-5': FABLE_5,
  'claude-fable-5-1': FABLE_5,
  'claude-fable-5-2': FABLE_5,
  'claude-opus-5-5': { input: 4, output: 20, cacheRead: 0.4, cacheWrite: 5 },
  'claude-opus-5': OPUS_4_5_TO_5,
  'claude-opus-4-8': OPUS_4_5_TO_5,
  'claude-opus-4-7': OPUS_4_5_TO_5,
  'claude-opus-4-6': OPUS_4_5_TO_5,
  'claude-opus-4-5': OPUS_4_5_TO_5,
  'claude-opus-4-1': { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  'claude-sonnet-5-5': SONNET_5,
  'claude-sonnet-5': SONNET_5,
  'claude-sonnet-4-6': SONNET_4,
  'claude-sonnet-4-5': SONNET_4,
  'claude-haiku-4-5': { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
};

export function priceOf(model: string | undefined, prices: PriceTable): PriceTable[string] | undefined {
  if (!model) return undefined;
  if (prices[model]) return prices[model];
  const prefix = Object.keys(prices).filter((key) => model.startsWith(key)).sort((a, b) => b.length - a.length)[0];
  return prefix ? prices[prefix] : undefined;
}

/** The usage with costUsd filled in from the table, unless a cost was reported or the model is unknown. */
export function withCost(usage: Usage, model: string | undefined, prices: PriceTable): Usage {
  if (usage.costUsd !== undefined) return usage;
  const price = priceOf(model, prices);
  if (!price) return usage;
  const cost =
    (usage.inputTokens * price.input +
      usage.outputTokens * price.output +
      (usage.cacheReadTokens ?? 0) * (price.cacheRead ?? price.input) +
      (usage.cacheWriteTokens ?? 0) * (price.cacheWrite ?? price.input)) /
    1e6;
  return { ...usage, costUsd: Math.round(cost * 1e6) / 1e6 };
}
