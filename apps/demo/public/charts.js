// Hand-written SVG charts for the dashboard: a line chart and a state strip. No dependencies, no build step;
// each call redraws the whole <svg>, which at one sample per second and 300 points is cheap.

const SVG_NS = 'http://www.w3.org/2000/svg';
const WIDTH = 600;
const HEIGHT = 180;
const PAD = { left: 52, right: 8, top: 8, bottom: 18 };

function el(name, attributes = {}, text) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function prepare(svg) {
  svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
  while (svg.firstChild) svg.removeChild(svg.firstChild);
}

/** A "nice" upper bound for an axis: 1, 2 or 5 times a power of ten. */
export function niceMax(value) {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/**
 * A "nice" upper bound for a byte axis: a power of two (…, 128 KiB, 256 KiB, 512 KiB, 1 MiB), so the axis and its
 * half-way line read in whole KiB or MiB, as the budget itself does (a decimal 500,000 would read 488 KiB).
 */
export function niceMaxBytes(value) {
  if (!(value > 1)) return 1;
  return 2 ** Math.ceil(Math.log2(value));
}

/** Bytes in binary units: 0 B, 512 B, 64 KiB, 1.5 MiB. */
export function formatBytes(value) {
  const short = (v) => (v >= 10 ? String(Math.round(v)) : v.toFixed(1).replace(/\.0$/, ''));
  if (value >= 1_048_576) return `${short(value / 1_048_576)} MiB`;
  if (value >= 1024) return `${short(value / 1024)} KiB`;
  return `${Math.round(value)} B`;
}

// With `clip`, the newest samples always fit on the axis, so a change of rate shows at once; older ones count
// only up to twice their series' 90th percentile, so a burst a few samples long stops setting the scale.
const RECENT = 5;
const PERCENTILE = 0.9;
const HEADROOM = 2;

const isValue = (v) => typeof v === 'number' && !Number.isNaN(v);

/**
 * The top of a chart's y axis and whether values above it are clipped. Without `clip` it is the nice maximum of
 * every value and `floor`. With `clip`, a burst such as the backlog delivered after an outage does not set it once
 * it is older than the last few samples: the steady lines stay readable and the burst is drawn against the top.
 */
export function axisMax(series, { floor = 0, nice = niceMax, clip = false } = {}) {
  let max = floor;
  for (const s of series) for (const v of s.values) if (isValue(v) && v > max) max = v;
  if (!clip) return { max: nice(max), clipped: false };
  let limit = floor;
  for (const s of series) {
    const values = s.values.filter(isValue);
    if (values.length === 0) continue;
    const sorted = [...values].sort((a, b) => a - b);
    limit = Math.max(limit, HEADROOM * sorted[Math.floor(PERCENTILE * (sorted.length - 1))]);
    for (const v of s.values.slice(-RECENT)) if (isValue(v) && v > limit) limit = v;
  }
  if (!(limit > 0) || max <= limit) return { max: nice(max), clipped: false };
  return { max: nice(limit), clipped: true };
}

/** Where a series runs above `max`: for each run, the index and value of its peak. */
export function clippedPeaks(values, max) {
  const peaks = [];
  let peak;
  values.forEach((v, i) => {
    if (isValue(v) && v > max) {
      if (peak === undefined || v > peak.value) peak = { index: i, value: v };
      return;
    }
    if (peak !== undefined) peaks.push(peak);
    peak = undefined;
  });
  if (peak !== undefined) peaks.push(peak);
  return peaks;
}

/** The SVG path of one series: gaps (null/undefined) break the line instead of dropping it to zero. */
export function linePath(values, length, max) {
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const step = length > 1 ? plotWidth / (length - 1) : 0;
  const offset = length - values.length;
  let path = '';
  let pen = false;
  values.forEach((value, i) => {
    if (value === null || value === undefined || Number.isNaN(value)) {
      pen = false;
      return;
    }
    const x = PAD.left + (offset + i) * step;
    const y = PAD.top + plotHeight - (Math.min(value, max) / max) * plotHeight;
    path += `${pen ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`;
    pen = true;
  });
  return path;
}

/**
 * series: [{ name, color, values, dashed? }]; options: { length, format, floor, nice, clip }.
 * `floor` keeps the axis from zooming into noise (e.g. a budget line); `nice` rounds the axis maximum (`niceMax`,
 * or `niceMaxBytes` for bytes); `clip` keeps a short burst from setting the scale (see `axisMax`).
 */
export function lineChart(
  svg,
  series,
  { length, format = String, floor = 0, nice = niceMax, clip = false } = {},
) {
  prepare(svg);
  const points = length ?? Math.max(2, ...series.map((s) => s.values.length));
  const { max, clipped } = axisMax(series, { floor, nice, clip });
  svg.dataset.max = String(max);
  svg.dataset.clipped = String(clipped);
  const plotBottom = HEIGHT - PAD.bottom;
  for (const fraction of [0, 0.5, 1]) {
    const y = PAD.top + (plotBottom - PAD.top) * (1 - fraction);
    svg.appendChild(
      el('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y, y2: y, class: 'grid' }),
    );
    svg.appendChild(
      el(
        'text',
        { x: PAD.left - 4, y: y + 4, class: 'axis', 'text-anchor': 'end' },
        format(max * fraction),
      ),
    );
  }
  for (const s of series) {
    svg.appendChild(
      el('path', {
        d: linePath(s.values, points, max),
        stroke: s.color,
        class: s.dashed ? 'series dashed' : 'series',
      }),
    );
  }
  if (clipped) markPeaks(svg, series, points, max, format);
  let x = PAD.left;
  for (const s of series) {
    const last = s.values.length > 0 ? s.values[s.values.length - 1] : undefined;
    const label = `${s.name}${last === undefined || last === null ? '' : ` ${format(last)}`}`;
    svg.appendChild(el('rect', { x, y: HEIGHT - 11, width: 10, height: 4, fill: s.color }));
    svg.appendChild(el('text', { x: x + 13, y: HEIGHT - 3, class: 'legend' }, label));
    x += 20 + label.length * 6.2;
  }
}

/** Writes each clipped run's peak value at the top edge, so a line cut off by the axis still says how high it went. */
function markPeaks(svg, series, points, max, format) {
  const step = points > 1 ? (WIDTH - PAD.left - PAD.right) / (points - 1) : 0;
  const placed = [];
  for (const s of series) {
    const offset = points - s.values.length;
    for (const peak of clippedPeaks(s.values, max)) {
      const x = PAD.left + (offset + peak.index) * step;
      // Markers near each other stack downwards instead of overprinting.
      const row = placed.filter((px) => Math.abs(px - x) < 48).length;
      placed.push(x);
      const label = el(
        'text',
        {
          x: Math.min(x + 3, WIDTH - PAD.right - 40),
          y: PAD.top + 9 + row * 11,
          class: 'peak',
          fill: s.color,
        },
        `▲ ${format(peak.value)}`,
      );
      label.appendChild(
        el('title', {}, `${s.name} peaked at ${format(peak.value)}, above the axis`),
      );
      svg.appendChild(label);
    }
  }
}

export const STATE_COLORS = {
  closed: '#2f9e44',
  'half-open': '#f59f00',
  open: '#e03131',
  isolated: '#868e96',
};

/** rows: [{ name, states: [state|null] }], one colored cell per sample; null is "no data" (service restarting). */
export function stateStrip(svg, rows, { length } = {}) {
  prepare(svg);
  const points = length ?? Math.max(1, ...rows.map((r) => r.states.length));
  const rowHeight = Math.min(34, (HEIGHT - PAD.bottom) / Math.max(1, rows.length));
  const cell = (WIDTH - PAD.left - PAD.right) / points;
  rows.forEach((row, r) => {
    const y = PAD.top + r * rowHeight;
    svg.appendChild(
      el(
        'text',
        { x: PAD.left - 4, y: y + rowHeight / 2 + 4, class: 'axis', 'text-anchor': 'end' },
        row.name,
      ),
    );
    const offset = points - row.states.length;
    row.states.forEach((state, i) => {
      if (state === null || state === undefined) return;
      svg.appendChild(
        el('rect', {
          x: PAD.left + (offset + i) * cell,
          y,
          width: cell + 0.5,
          height: rowHeight - 4,
          fill: STATE_COLORS[state] ?? '#adb5bd',
        }),
      );
    });
  });
  let x = PAD.left;
  for (const [state, color] of Object.entries(STATE_COLORS)) {
    svg.appendChild(el('rect', { x, y: HEIGHT - 11, width: 10, height: 6, fill: color }));
    svg.appendChild(el('text', { x: x + 13, y: HEIGHT - 3, class: 'legend' }, state));
    x += 24 + state.length * 6.2;
  }
}
