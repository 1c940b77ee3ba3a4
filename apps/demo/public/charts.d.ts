// Types for the tests of charts.js, which the browser loads as plain JavaScript (no build step).
export interface Series {
  name: string;
  color: string;
  values: readonly (number | null | undefined)[];
  dashed?: boolean;
}
export interface AxisOptions {
  floor?: number;
  nice?: (value: number) => number;
  clip?: boolean;
}
export function niceMax(value: number): number;
export function niceMaxBytes(value: number): number;
export function formatBytes(value: number): string;
export function axisMax(
  series: readonly Pick<Series, 'values'>[],
  options?: AxisOptions,
): { max: number; clipped: boolean };
export function clippedPeaks(
  values: readonly (number | null | undefined)[],
  max: number,
): { index: number; value: number }[];
export function linePath(values: readonly (number | null)[], length: number, max: number): string;
