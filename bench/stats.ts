// Small statistics for the benchmark's printouts.

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const median = (values: number[]) => percentile(values, 50);

export const ratio = (a: number, b: number) => (a / Math.max(1e-9, b)).toFixed(2);

export const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;
