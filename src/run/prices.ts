// Cost estimates from a price table keyed by model (exact name, else the longest matching
// prefix). The built-in table can be replaced or extended in the config file. Pure.
import type { PriceTable, Usage } from './types';

/** US dollars per million tokens; check current prices and override them in dagent.config.yaml. */
export const DEFAULT_PRICES: PriceTable = {
  'claude-opus-4-1': { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  'claude-opus-4': { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  'claude-sonnet-4': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'claude-haiku-4': { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
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
