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
 * series: [{ name, color, values, dashed? }]; options: { length, format, floor }.
 * `floor` keeps the axis from zooming into noise (e.g. a budget line).
 */
export function lineChart(svg, series, { length, format = String, floor = 0 } = {}) {
  prepare(svg);
  const points = length ?? Math.max(2, ...series.map((s) => s.values.length));
  let max = floor;
  for (const s of series) for (const v of s.values) if (v > max) max = v;
  max = niceMax(max);
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
  let x = PAD.left;
  for (const s of series) {
    const last = s.values.length > 0 ? s.values[s.values.length - 1] : undefined;
    const label = `${s.name}${last === undefined || last === null ? '' : ` ${format(last)}`}`;
    svg.appendChild(el('rect', { x, y: HEIGHT - 11, width: 10, height: 4, fill: s.color }));
    svg.appendChild(el('text', { x: x + 13, y: HEIGHT - 3, class: 'legend' }, label));
    x += 20 + label.length * 6.2;
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
