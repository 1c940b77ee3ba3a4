// The soak's summary table (Markdown, so it can be pasted into RELIABILITY.md as it is).
import type { ScenarioResult } from './run-scenario.js';

const MB = 1024 * 1024;

export function formatTable(results: readonly ScenarioResult[]): string {
  const header = [
    'scenario',
    'fault ran',
    'requests (req/s)',
    'produced',
    'delivered',
    'dropped by reason',
    'max heap growth',
    'max RSS',
    'loop p99',
    'recovery',
    'shutdown',
    'result',
  ];
  const rows = results.map((r) => [
    r.scenario,
    seconds(r.phases.faultMs),
    `${r.requests} (${Math.round(r.requestsPerSecond)})`,
    String(r.produced),
    String(r.delivered),
    formatDropped(r.dropped),
    `${(r.maxHeapGrowthBytes / MB).toFixed(1)} MiB`,
    `${Math.round(r.maxRssBytes / MB)} MiB`,
    `${r.loopP99Ms.toFixed(1)} ms`,
    r.recoveryMs === undefined ? '—' : `${(r.recoveryMs / 1_000).toFixed(2)} s`,
    r.shutdownMs === undefined ? '—' : `${(r.shutdownMs / 1_000).toFixed(2)} s`,
    r.problems.length === 0 ? 'pass' : `FAIL (${r.problems.length})`,
  ]);
  return [header, header.map(() => '---'), ...rows]
    .map((cells) => `| ${cells.join(' | ')} |`)
    .join('\n');
}

export function formatDropped(dropped: Record<string, number>): string {
  const parts = Object.entries(dropped)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${reason} ${n}`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}

function seconds(ms: number): string {
  return ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 1_000).toFixed(1)} s`;
}
