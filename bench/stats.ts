// Small statistics for the benchmark's printouts.

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const median = (values: number[]) => percentile(values, 50);

export const ratio = (a: number, b: number) => (a / Math.max(1e-9, b)).toFixed(2);

export const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;

/** The mean of the middle 80%: steadier than a median of whole milliseconds, deaf to the slowest outliers. */
export function trimmedMean(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const cut = Math.floor(sorted.length / 10);
  return mean(sorted.slice(cut, sorted.length - cut));
}
