// Percentiles by nearest rank (the smallest value with at least p% of values at or below it),
// so every figure is a value that was measured. Pure.
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export interface Spread {
  count: number;
  p50?: number;
  p95?: number;
  p99?: number;
}

export function spreadOf(values: readonly number[]): Spread {
  return { count: values.length, p50: percentile(values, 50), p95: percentile(values, 95), p99: percentile(values, 99) };
}
