// The demo's own server without a browser: the JSON endpoints the buttons use, the event stream, and the
// external-backend mode in which the fault buttons are off.
import { request } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startDemo, type Demo } from '../src/demo.js';
import { testOptions } from './options.js';

const demos: Demo[] = [];
afterEach(async () => {
  await Promise.all(demos.splice(0).map((d) => d.stop()));
});

async function start(overrides: Parameters<typeof testOptions>[0] = {}): Promise<Demo> {
  const demo = await startDemo(testOptions(overrides));
  demos.push(demo);
  return demo;
}

async function post(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** Reads the event stream until `count` events arrived; returns their names and parsed data. */
function readEvents(url: string, count: number): Promise<{ event: string; data: unknown }[]> {
  return new Promise((resolve, reject) => {
    const events: { event: string; data: unknown }[] = [];
    const req = request(`${url}/events`, (response) => {
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (event !== undefined && data !== undefined)
            events.push({ event, data: JSON.parse(data) as unknown });
          if (events.length === count) {
            req.destroy();
            resolve(events);
            return;
          }
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the demo server', () => {
  it('streams history first, then one sample per tick with the services’ agent status', async () => {
    const demo = await start();
    const events = await readEvents(demo.url, 5);
    expect(events.map((e) => e.event).slice(0, 2)).toEqual(['history', 'tables']);
    const samples = events.filter((e) => e.event === 'sample').map((e) => e.data);
    expect(samples.length).toBeGreaterThan(0);
    const latest = demo.backend.view();
    expect(latest.embedded).toBe(true);
    const history = demo.history.toArray();
    const withAgents = history.filter((s) => s.services.frontend?.agent !== undefined);
    expect(withAgents.length).toBeGreaterThan(0);
    expect(withAgents.at(-1)!.services.frontend!.maxBufferBytes).toBe(64 * 1024);
  });

  it('switches the collector between exclusive fault modes and changes the load rate', async () => {
    const demo = await start({ rate: 5 });
    expect(await post(`${demo.url}/api/fault`, { mode: 'slow' })).toEqual({
      status: 200,
      body: { mode: 'slow' },
    });
    expect(Object.values(demo.backend.view().faults!.services)[0]).toEqual({ delayMs: 2000 });

    await post(`${demo.url}/api/fault`, { mode: 'blackhole' });
    const view = demo.backend.view();
    expect(view.listener).toBe('blackhole');
    // The previous mode was cleared: blackhole alone.
    expect(Object.values(view.faults!.services).every((f) => Object.keys(f).length === 0)).toBe(
      true,
    );

    await post(`${demo.url}/api/fault`, { mode: 'up' });
    expect(demo.backend.view().listener).toBe('up');

    expect((await post(`${demo.url}/api/fault`, { mode: 'melt' })).status).toBe(400);
    expect(await post(`${demo.url}/api/load`, { rate: 12 })).toEqual({
      status: 200,
      body: { rate: 12 },
    });
    expect(demo.load.snapshot().rate).toBe(12);
    expect((await post(`${demo.url}/api/load`, { rate: -1 })).status).toBe(400);
  });

  it('injects errors in inventory until the switch turns them off, across a restart too', async () => {
    const demo = await start();
    const inventory = () => demo.services.samples().inventory;
    // On by default: inventory fails some stock lookups on purpose, and says how many.
    await vi.waitFor(() => expect(inventory()?.injectedErrors?.count).toBeGreaterThan(0), {
      timeout: 30_000,
      interval: 100,
    });
    expect(inventory()!.injectedErrors).toMatchObject({ on: true, rate: 0.03 });
    expect(inventory()!.failed).toBeGreaterThanOrEqual(inventory()!.injectedErrors!.count);
    expect(demo.services.samples().frontend?.injectedErrors).toBeUndefined();

    expect(await post(`${demo.url}/api/errors`, { enabled: false })).toEqual({
      status: 200,
      body: { enabled: false },
    });
    await vi.waitFor(() => expect(inventory()?.injectedErrors?.on).toBe(false), {
      interval: 50,
    });
    // A 503 decided just before the switch may finish just after it: count from the next sample on.
    const switched = inventory()!.at;
    await vi.waitFor(() => expect(inventory()!.at).toBeGreaterThan(switched), { interval: 50 });
    const off = inventory()!;
    // Off means off: a few hundred more lookups, not one more deliberate (or any other) failure.
    await vi.waitFor(() => expect(inventory()!.handled).toBeGreaterThan(off.handled + 300), {
      timeout: 30_000,
      interval: 100,
    });
    expect(inventory()!.injectedErrors!.count).toBe(off.injectedErrors!.count);
    expect(inventory()!.failed).toBe(off.failed);

    // A restart (what a rebuild triggers) keeps the switch where the page left it.
    await demo.services.restart();
    await vi.waitFor(() => expect(inventory()?.injectedErrors).toMatchObject({ on: false }), {
      timeout: 30_000,
      interval: 50,
    });
    expect((await post(`${demo.url}/api/errors`, { enabled: 'no' })).status).toBe(400);
  });

  it('reports to an external backend with the fault buttons off', async () => {
    // Nothing listens on port 1: the agents just count their failures.
    const demo = await start({ externalCollector: '127.0.0.1:1' });
    expect(demo.backend.view()).toEqual({ embedded: false, address: '127.0.0.1:1' });
    const refused = await post(`${demo.url}/api/fault`, { mode: 'blackhole' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: expect.stringMatching(/embedded collector/) });
    const page = await (await fetch(demo.url)).text();
    expect(page).toContain('data-fault="blackhole"');
  });
});
