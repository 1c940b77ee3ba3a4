// The dashboard page: listens to the demo's server-sent events (one sample per tick), keeps the recent history and
// redraws the charts and tables. Buttons post to the demo's small JSON API.
import { formatBytes, lineChart, niceMaxBytes, stateStrip } from './charts.js';

const SERVICES = ['frontend', 'inventory'];
const PIPELINES = ['segments', 'logs', 'meters'];
const REASONS = ['overflow', 'expired', 'rejected', 'unacknowledged', 'shutdown'];
const HISTORY = 300;
// The x axis spans at least this many samples, then grows with the history up to HISTORY.
const MIN_POINTS = 60;
const COLORS = {
  produced: '#1971c2',
  delivered: '#2f9e44',
  dropped: '#e03131',
  failed: '#e03131',
  ok: '#2f9e44',
  segments: '#1971c2',
  logs: '#9c36b5',
  meters: '#0c8599',
  budget: '#868e96',
  heap: '#1971c2',
  rss: '#f76707',
};

const samples = [];
const $ = (selector) => document.querySelector(selector);
const number = new Intl.NumberFormat('en');
const fmt = (v) => {
  if (v >= 10_000) return `${number.format(Math.round(v / 1000))}k`;
  return v < 10 && !Number.isInteger(v) ? v.toFixed(1) : number.format(Math.round(v));
};
const mib = (bytes) => bytes / 1_048_576;
const fmtMib = (v) => (v >= 10 ? v.toFixed(0) : v.toFixed(1));
const percent = (share) => `${Math.round(share * 1000) / 10} %`;

function droppedOf(pipeline) {
  return REASONS.reduce((sum, reason) => sum + (pipeline.dropped[reason] ?? 0), 0);
}

/** Sum of a pipeline counter over both services; null when no service reported (restarting, or no agent). */
function total(sample, pipeline, read) {
  let sum = null;
  for (const service of SERVICES) {
    const status = sample.services[service]?.agent;
    if (status === undefined) continue;
    sum = (sum ?? 0) + read(status.pipelines[pipeline]);
  }
  return sum;
}

/** Per-second rate of a cumulative counter between consecutive samples (null across a gap or a restart). */
function rates(read) {
  const out = [];
  for (let i = 1; i < samples.length; i++) {
    const a = read(samples[i - 1]);
    const b = read(samples[i]);
    const seconds = (samples[i].at - samples[i - 1].at) / 1000;
    out.push(a === null || b === null || b < a || seconds <= 0 ? null : (b - a) / seconds);
  }
  return out;
}

function drawCharts() {
  const latest = samples[samples.length - 1];
  const length = Math.max(MIN_POINTS, samples.length);
  lineChart(
    $('#chart-requests'),
    [
      { name: 'ok', color: COLORS.ok, values: rates((s) => s.load.ok) },
      { name: 'failed', color: COLORS.failed, values: rates((s) => s.load.failed) },
      {
        // Each error inventory injects fails one checkout: this line is the part of `failed` that is on purpose.
        name: 'injected',
        color: COLORS.failed,
        dashed: true,
        values: rates((s) => s.services.inventory?.injectedErrors?.count ?? null),
      },
      {
        name: 'asked',
        color: COLORS.budget,
        dashed: true,
        values: samples.slice(1).map((s) => s.load.rate),
      },
    ],
    { length, format: fmt, clip: true },
  );
  for (const pipeline of ['segments', 'logs']) {
    lineChart(
      $(`#chart-${pipeline}`),
      [
        {
          name: 'produced',
          color: COLORS.produced,
          values: rates((s) => total(s, pipeline, (p) => p.produced)),
        },
        {
          name: 'delivered',
          color: COLORS.delivered,
          values: rates((s) => total(s, pipeline, (p) => p.delivered)),
        },
        {
          name: 'dropped',
          color: COLORS.dropped,
          values: rates((s) => total(s, pipeline, droppedOf)),
        },
      ],
      { length, format: fmt, clip: true },
    );
  }
  const budget = latest?.services.frontend?.maxBufferBytes;
  lineChart(
    $('#chart-queued'),
    [
      ...PIPELINES.map((pipeline) => ({
        name: pipeline,
        color: COLORS[pipeline],
        values: samples.map(
          (s) => s.services.frontend?.agent?.pipelines[pipeline].queuedBytes ?? null,
        ),
      })),
      ...(budget === undefined
        ? []
        : [
            {
              name: 'budget',
              color: COLORS.budget,
              dashed: true,
              values: samples.map(() => budget),
            },
          ]),
    ],
    { length, format: formatBytes, nice: niceMaxBytes, floor: 64 * 1024 },
  );
  lineChart(
    $('#chart-memory'),
    SERVICES.flatMap((service) => [
      {
        name: `${service} heap`,
        color: service === 'frontend' ? COLORS.heap : '#74c0fc',
        values: samples.map((s) =>
          s.services[service] ? mib(s.services[service].heapUsed) : null,
        ),
      },
      {
        name: `${service} rss`,
        color: service === 'frontend' ? COLORS.rss : '#ffc078',
        values: samples.map((s) => (s.services[service] ? mib(s.services[service].rss) : null)),
      },
    ]),
    { length, format: fmtMib, floor: 64 },
  );
  const rows = [];
  for (const service of SERVICES) {
    const backends = latest?.services[service]?.agent?.backends ?? [];
    for (const [index, backend] of backends.entries()) {
      rows.push({
        name: backends.length > 1 ? `${service} ${backend.address}` : service,
        states: samples.map((s) => s.services[service]?.agent?.backends[index]?.breaker ?? null),
      });
    }
  }
  stateStrip($('#chart-breakers'), rows, { length });
}

function cell(text, attributes = {}) {
  const td = document.createElement('td');
  td.textContent = text;
  for (const [key, value] of Object.entries(attributes)) td.setAttribute(key, value);
  return td;
}

function drawHeader(sample) {
  $('#seq').textContent = String(sample.seq);
  $('#updated').textContent = `updated ${new Date(sample.at).toLocaleTimeString()}`;
  const agents = $('#agents');
  agents.replaceChildren();
  for (const service of SERVICES) {
    const s = sample.services[service];
    const badge = document.createElement('span');
    const state = s?.agent?.state ?? (s ? 'no agent' : 'starting');
    const breaker = s?.agent?.backends[0]?.breaker ?? '-';
    badge.className = `badge ${state}`;
    badge.title = s?.agentError ?? s?.agent?.backends[0]?.lastError ?? '';
    badge.innerHTML = `${service}: <b data-testid="state-${service}"></b> · breaker <b data-testid="breaker-${service}"></b>`;
    badge.querySelector(`[data-testid="state-${service}"]`).textContent = state;
    badge.querySelector(`[data-testid="breaker-${service}"]`).textContent = breaker;
    agents.appendChild(badge);
  }
  const backend = sample.backend;
  const note = $('#backend');
  if (backend.embedded) {
    const held = backend.heldConnections ? `, ${backend.heldConnections} held` : '';
    note.textContent = `embedded collector at ${backend.address}: ${backend.listener}, ${backend.openConnections} connections${held}`;
    note.classList.remove('error');
  } else {
    note.textContent = `reporting to ${backend.address} (SW_AGENT_COLLECTOR_BACKEND_SERVICES): fault buttons are off, traces and instances are in your OAP`;
  }
  for (const button of document.querySelectorAll('[data-fault]')) {
    button.disabled = !backend.embedded;
    button.classList.toggle('active', backend.mode === button.dataset.fault);
  }
  for (const button of document.querySelectorAll('[data-errors]')) {
    button.addEventListener('click', () => {
      void post('/api/errors', { enabled: button.dataset.errors === 'on' });
    });
  }
  for (const button of document.querySelectorAll('[data-rate]')) {
    button.classList.toggle('active', Number(button.dataset.rate) === sample.load.rate);
  }
  drawInjectedErrors(sample.services.inventory?.injectedErrors);
}

/** What the services say about the errors they inject: the page never guesses whether a failure is on purpose. */
function drawInjectedErrors(injected) {
  const label = $('#injected-label');
  const note = $('#errors-note');
  for (const button of document.querySelectorAll('[data-errors]')) {
    button.classList.toggle(
      'active',
      injected !== undefined && injected.on === (button.dataset.errors === 'on'),
    );
  }
  if (injected === undefined) {
    label.textContent = '';
    note.textContent = 'inventory is starting';
  } else if (injected.on) {
    label.textContent = '· failed includes injected errors';
    note.textContent = `inventory fails ${percent(injected.rate)} of stock lookups (503) on purpose: ${number.format(injected.count)} so far`;
  } else {
    label.textContent = '· no injected errors';
    note.textContent = `off: a failure now has a real cause (${number.format(injected.count)} injected before)`;
  }
}

function drawPipelines(sample) {
  const body = $('#pipelines tbody');
  body.replaceChildren();
  const sums = { produced: 0, delivered: 0, queued: 0, dropped: 0 };
  for (const service of SERVICES) {
    const status = sample.services[service]?.agent;
    if (status === undefined) continue;
    for (const name of PIPELINES) {
      const p = status.pipelines[name];
      const row = document.createElement('tr');
      row.append(
        cell(service),
        cell(name),
        cell(fmt(p.produced)),
        cell(fmt(p.delivered), { 'data-testid': `delivered-${service}-${name}` }),
        cell(fmt(p.queued)),
        cell(formatBytes(p.queuedBytes)),
        cell(fmt(p.inFlight)),
        ...REASONS.map((reason) => cell(fmt(p.dropped[reason] ?? 0))),
      );
      body.appendChild(row);
      sums.produced += p.produced;
      sums.delivered += p.delivered;
      sums.queued += p.queued + p.inFlight;
      sums.dropped += droppedOf(p);
    }
  }
  $('[data-testid="produced-total"]').textContent = String(sums.produced);
  $('[data-testid="delivered-total"]').textContent = String(sums.delivered);
  $('[data-testid="queued-total"]').textContent = String(sums.queued);
  $('[data-testid="dropped-total"]').textContent = String(sums.dropped);
}

function drawTables({ traces, instances }) {
  const traceBody = $('#traces tbody');
  traceBody.replaceChildren(
    ...traces.map((t) => {
      const row = document.createElement('tr');
      row.append(
        // Ids of one process share their prefix; the tail tells them apart.
        cell(`…${t.traceId.slice(-14)}`, { title: t.traceId }),
        // Until the root segment arrives, the endpoint of a downstream span would be a wrong answer: say so instead.
        t.rootArrived
          ? cell(t.endpoint, { 'data-testid': 'trace-endpoint' })
          : cell('root not arrived yet', {
              class: 'pending',
              title: 'the segment that started this trace has not reached the collector yet',
              'data-testid': 'trace-endpoint',
            }),
        cell(t.services.join(' → '), { 'data-testid': 'trace-services' }),
        cell(String(t.spans)),
        cell(`${t.durationMs} ms`),
        cell(String(t.errors), t.errors > 0 ? { class: 'error' } : {}),
      );
      return row;
    }),
  );
  const instanceBody = $('#instances tbody');
  instanceBody.replaceChildren(
    ...instances.map((i) => {
      const row = document.createElement('tr');
      const properties = i.properties.map((p) => `${p.key}=${p.value}`).join(', ');
      row.append(
        cell(i.service),
        cell(i.serviceInstance),
        cell(i.lastKeepAliveAt ? new Date(i.lastKeepAliveAt).toLocaleTimeString() : '-'),
        cell(properties, { title: properties }),
      );
      return row;
    }),
  );
}

function add(sample) {
  samples.push(sample);
  if (samples.length > HISTORY) samples.splice(0, samples.length - HISTORY);
}

function render() {
  const latest = samples[samples.length - 1];
  if (latest === undefined) return;
  drawHeader(latest);
  drawPipelines(latest);
  drawCharts();
}

async function post(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    const { error } = await response.json().catch(() => ({ error: response.statusText }));
    const note = $('#backend');
    note.textContent = error;
    note.classList.add('error');
  }
}

for (const button of document.querySelectorAll('[data-fault]')) {
  button.addEventListener('click', () => {
    void post('/api/fault', { mode: button.dataset.fault });
  });
}
for (const button of document.querySelectorAll('[data-errors]')) {
  button.addEventListener('click', () => {
    void post('/api/errors', { enabled: button.dataset.errors === 'on' });
  });
}
for (const button of document.querySelectorAll('[data-rate]')) {
  button.addEventListener('click', () => {
    void post('/api/load', { rate: Number(button.dataset.rate) });
  });
}

const events = new EventSource('/events');
events.addEventListener('open', () => $('#connection').classList.add('on'));
events.addEventListener('error', () => $('#connection').classList.remove('on'));
events.addEventListener('history', (event) => {
  samples.length = 0;
  for (const sample of JSON.parse(event.data)) add(sample);
  render();
});
events.addEventListener('sample', (event) => {
  add(JSON.parse(event.data));
  render();
});
events.addEventListener('tables', (event) => drawTables(JSON.parse(event.data)));
