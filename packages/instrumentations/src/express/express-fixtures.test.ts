import { fileURLToPath } from 'node:url';
import { SpanLayer, SpanType } from '@windsock/protocol';
import { describe, expect, it } from 'vitest';
import { type FixtureRun, nodeBinary, runFixture } from '../../test/helpers/fixture.js';

// The same application as a CommonJS and an ES module file, run in child processes against the built package: with
// the preload (Express loads after the agent, as under `-r`/`--import windsock/register`) and "late" (the app loads
// Express and registers most routes, then starts the agent itself).
const FIXTURES = fileURLToPath(new URL('../../test/fixtures/express/', import.meta.url));

const EXPECTED_RESPONSES = [
  'RESPONSE /users/42 200',
  'RESPONSE /api/items/7 200',
  'RESPONSE /api/tenants/t1/projects/p2 200',
  'RESPONSE /late/things/9 200',
  'RESPONSE /no/such/page 404',
  'RESPONSE /fail/1 500',
];

const EXPECTED_ENDPOINTS = [
  'GET:/users/:id',
  'GET:/api/items/:itemId',
  'GET:/api/tenants/:tenantId/projects/:projectId',
  'GET:/late/things/:thingId',
  'GET:/<unmatched>',
  'GET:/fail/:id',
];

function expectRouteNames(run: FixtureRun): void {
  expect(run.stderr).not.toMatch(/TypeError|ReferenceError|windsock/);
  expect(run.code).toBe(0);
  expect(run.diagnostics).toEqual([]);
  expect(run.stdout.split('\n')).toEqual(EXPECTED_RESPONSES);
  const entries = run.segments.flatMap((segment) =>
    segment.spans.filter((s) => s.spanType === SpanType.Entry),
  );
  // One entry span per request, named by its route, in the order the requests were made.
  expect(entries.map((s) => s.operationName)).toEqual(EXPECTED_ENDPOINTS);
  for (const span of entries) {
    expect(span).toMatchObject({ componentId: 4002, spanLayer: SpanLayer.Http });
  }
  const failed = entries.find((s) => s.operationName === 'GET:/fail/:id')!;
  expect(failed.isError).toBe(true);
  const messages = failed.logs.flatMap((l) =>
    l.data.filter((d) => d.key === 'message').map((d) => d.value),
  );
  expect(messages).toEqual(['fixture failure']);
}

const RUNS = [
  { file: 'app.cjs', plugins: ['express'] },
  { file: 'app.mjs', plugins: ['express'] },
  { file: 'late.cjs', plugins: [] },
  { file: 'late.mjs', plugins: [] },
];

describe.each([
  { major: 4, pkg: 'express4' },
  { major: 5, pkg: 'express' },
])('Express $major in a child process', ({ pkg }) => {
  it.each(RUNS)('$file names every request after its route', async ({ file, plugins }) => {
    const run = await runFixture(`${FIXTURES}${file}`, {
      plugins,
      env: { EXPRESS_PACKAGE: pkg },
    });
    expectRouteNames(run);
  });
});

describe.each([22, 24, 26])('on Node.js %i', (major) => {
  const node = () => nodeBinary(String(major));

  it.each([
    { file: 'app.mjs', pkg: 'express', plugins: ['express'] },
    { file: 'app.cjs', pkg: 'express4', plugins: ['express'] },
    { file: 'late.mjs', pkg: 'express', plugins: [] },
  ])('$file with $pkg names every request after its route', async ({ file, pkg, plugins }) => {
    const run = await runFixture(`${FIXTURES}${file}`, {
      plugins,
      node: node(),
      env: { EXPRESS_PACKAGE: pkg },
    });
    expectRouteNames(run);
  });
});
