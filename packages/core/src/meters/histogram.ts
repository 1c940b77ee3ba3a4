import { type MeterBucketValue } from '@windsock/protocol';

/**
 * Counts observations per bucket. `bounds` are the buckets' lower boundaries (SkyWalking's convention: a bucket
 * holds values from its boundary up to the next one); values below the first boundary fall into a bucket that is
 * reported with `isNegativeInfinity`, so no observation is lost.
 */
export class HistogramCounts {
  readonly bounds: readonly number[];
  /** counts[0] is the negative-infinity bucket; counts[i + 1] belongs to bounds[i]. */
  private readonly counts: number[];

  constructor(bounds: readonly number[]) {
    this.bounds = normaliseBounds(bounds);
    this.counts = new Array<number>(this.bounds.length + 1).fill(0);
  }

  observe(value: number): boolean {
    if (typeof value !== 'number' || Number.isNaN(value)) return false;
    this.counts[this.bucketOf(value)]! += 1;
    return true;
  }

  /** Cumulative since creation, as the SkyWalking agents report histograms. */
  values(): MeterBucketValue[] {
    const values: MeterBucketValue[] = [
      { bucket: 0, count: this.counts[0]!, isNegativeInfinity: true },
    ];
    for (let i = 0; i < this.bounds.length; i += 1) {
      values.push({
        bucket: this.bounds[i]!,
        count: this.counts[i + 1]!,
        isNegativeInfinity: false,
      });
    }
    return values;
  }

  /** Index into `counts` of the bucket with the largest boundary ≤ value (binary search: buckets may be many). */
  private bucketOf(value: number): number {
    let low = 0;
    let high = this.bounds.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.bounds[mid]! <= value) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/** Finite, ascending, without duplicates; an empty list becomes `[0]` (everything ≥ 0, and the negatives). */
export function normaliseBounds(bounds: readonly number[]): number[] {
  const finite = [...new Set(bounds.filter((b) => typeof b === 'number' && Number.isFinite(b)))];
  finite.sort((a, b) => a - b);
  return finite.length > 0 ? finite : [0];
}
