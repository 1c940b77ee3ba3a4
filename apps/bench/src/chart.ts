import { type CaseSummary } from './suite.js';

const WIDTH = 760;
const ROW = 22;
const LABEL = 190;
const TOP = 56;
const COLORS = { throughput: '#3b6ea8', traced: '#c9a227', delivered: '#5aa05a' } as const;

const escape = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/**
 * A horizontal bar chart of the ratios per agent and backend state: request rate relative to no agent, share of
 * produced items delivered, and share of requests traced at all. Written by hand so the bench needs no charting dependency.
 */
export function ratiosChart(cases: readonly CaseSummary[], title: string): string {
  const rows = cases.filter((row) => row.agent !== 'none');
  const plotWidth = WIDTH - LABEL - 70;
  const groupHeight = ROW * 3 + 10;
  const height = TOP + rows.length * groupHeight + 40;
  const x = (ratio: number) => LABEL + Math.max(0, Math.min(ratio, 1.2)) * (plotWidth / 1.2);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escape(title)}</text>`,
    `<rect x="${LABEL}" y="30" width="12" height="12" fill="${COLORS.throughput}"/>`,
    `<text x="${LABEL + 18}" y="40">requests/s vs no agent</text>`,
    `<rect x="${LABEL + 190}" y="30" width="12" height="12" fill="${COLORS.delivered}"/>`,
    `<text x="${LABEL + 208}" y="40">delivered / produced</text>`,
    `<rect x="${LABEL + 360}" y="30" width="12" height="12" fill="${COLORS.traced}"/>`,
    `<text x="${LABEL + 378}" y="40">requests traced</text>`,
  ];
  for (const tick of [0, 0.25, 0.5, 0.75, 0.85, 1]) {
    const tx = x(tick);
    const dashed = tick === 0.85 ? ' stroke-dasharray="4 3"' : '';
    parts.push(
      `<line x1="${tx}" y1="${TOP - 4}" x2="${tx}" y2="${height - 30}" stroke="#cccccc"${dashed}/>`,
      `<text x="${tx}" y="${height - 16}" text-anchor="middle">${Math.round(tick * 100)}%</text>`,
    );
  }
  rows.forEach((row, index) => {
    const y = TOP + index * groupHeight;
    parts.push(
      `<text x="${LABEL - 8}" y="${y + ROW}" text-anchor="end">${escape(`${row.agent} · ${row.state}`)}</text>`,
    );
    const bars: [number | null, string][] = [
      [row.throughputRatio, COLORS.throughput],
      [row.deliveredRatio, COLORS.delivered],
      [row.tracedRatio, COLORS.traced],
    ];
    bars.forEach(([ratio, color], bar) => {
      const by = y + bar * ROW;
      const value = ratio ?? 0;
      parts.push(
        `<rect x="${LABEL}" y="${by}" width="${(x(value) - LABEL).toFixed(1)}" height="${ROW - 4}" fill="${color}"/>`,
        `<text x="${(x(value) + 4).toFixed(1)}" y="${by + ROW - 8}">${ratio === null ? 'n/a' : `${(value * 100).toFixed(1)}%`}</text>`,
      );
    });
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
