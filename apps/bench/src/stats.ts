/** The middle and the range of repeated measurements: on a shared machine the spread is part of the result. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** The spread as ± half the range relative to the median, e.g. 0.04 for ±4 %. */
export function relativeSpread(value: Spread): number {
  return value.median === 0 ? 0 : (value.max - value.min) / 2 / Math.abs(value.median);
}
