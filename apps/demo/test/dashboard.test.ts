// The whole story in a real browser: Debian's Chromium (driven by playwright-core) opens the dashboard of a demo
// started on free ports, sees traffic delivered, switches the collector to `blackhole`, sees the breaker open and
// the loss accounted for while the page keeps updating, switches back `up` and sees delivery resume.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type Demo } from '../src/demo.js';
import { testOptions } from './options.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RESULTS = new URL('../test-results/', import.meta.url);
const WAIT_MS = 45_000;

let demo: Demo;
let context: BrowserContext;
let page: Page;
let profile: string;

beforeAll(async () => {
  demo = await startDemo(testOptions());
  profile = await mkdtemp(join(tmpdir(), 'windsock-demo-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 1100 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  page = context.pages()[0] ?? (await context.newPage());
});

afterAll(async () => {
  await context?.close();
  await demo?.stop();
  if (profile !== undefined) await rm(profile, { recursive: true, force: true });
});

const text = async (testId: string) =>
  (await page.getByTestId(testId).first().textContent())?.trim() ?? '';
const count = async (testId: string) => Number(await text(testId));

// The predicates run in the page, so they are written as page-side source: this file is compiled without DOM types.
const readTestId = (id: string) =>
  `document.querySelector('[data-testid="${id}"]')?.textContent?.trim() ?? ''`;

/** Waits until the page shows `testId` matching `pattern`, re-reading on every animation frame. */
async function waitForText(testId: string, pattern: string, timeout = WAIT_MS) {
  await page.waitForFunction(
    `new RegExp(${JSON.stringify(pattern)}).test(${readTestId(testId)})`,
    undefined,
    {
      timeout,
    },
  );
}

async function waitForCount(testId: string, above: number, timeout = WAIT_MS) {
  await page.waitForFunction(`Number(${readTestId(testId)}) > ${above}`, undefined, { timeout });
}

describe('the dashboard in Chromium', () => {
  it('shows an outage and the recovery as they happen', async () => {
    await page.goto(demo.url);

    // Traffic flows: segments delivered and the breaker closed.
    await waitForCount('delivered-total', 0);
    await waitForText('breaker-frontend', '^closed$');
    expect(await page.locator('[data-fault="blackhole"]').isEnabled()).toBe(true);

    await page.locator('[data-fault="blackhole"]').click();
    await waitForText('breaker-frontend', '^open$');
    expect(demo.backend.view().listener).toBe('blackhole');

    // While the backend hangs: items are queued, then the byte budget overflows and drops are counted.
    await waitForCount('dropped-total', 0);
    const seqDuringOutage = await count('seq');
    await waitForCount('seq', seqDuringOutage + 2); // the page keeps updating
    const deliveredDuringOutage = await count('delivered-total');
    await waitForText('breaker-frontend', '^open$'); // it cycles open / half-open with every probe
    await mkdir(RESULTS, { recursive: true });
    await page.screenshot({
      path: new URL('dashboard-outage.png', RESULTS).pathname,
      fullPage: true,
    });

    await page.locator('[data-fault="up"]').click();
    await waitForText('breaker-frontend', '^closed$');
    await waitForCount('delivered-total', deliveredDuringOutage);
    await waitForText('state-frontend', '^connected$');
    await page.screenshot({
      path: new URL('dashboard-recovered.png', RESULTS).pathname,
      fullPage: true,
    });

    // The agents' own accounting, as the services reported it: nothing unaccounted for.
    for (const sample of Object.values(demo.history.latest()!.services)) {
      for (const p of Object.values(sample.agent!.pipelines)) {
        const dropped = Object.values(p.dropped).reduce((a, b) => a + b, 0);
        expect(p.produced).toBe(p.delivered + dropped + p.queued + p.inFlight);
      }
    }
  });
});
