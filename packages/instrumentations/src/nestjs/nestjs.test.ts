import { fileURLToPath } from 'node:url';
import { type SpanObject, SpanType } from '@windsock/protocol';
import { describe, expect, it } from 'vitest';
import { type FixtureRun, nodeBinary, runFixture } from '../../test/helpers/fixture.js';
import { errorLogs } from '../../test/helpers/tracing.js';

// NestJS 12 (an ES module package) from npm on its Express adapter, in child processes against the built package:
// with the preload (Nest loads after the agent, as under `--import`/`-r windsock/register`) and "late" (the app
// requires Nest and builds its application, then starts the agent itself).
const FIXTURES = fileURLToPath(new URL('../../test/fixtures/nestjs/', import.meta.url));

const EXPECTED_RESPONSES = [
  'RESPONSE /users/1 200',
  'RESPONSE /users/2/broken 500',
  'RESPONSE /users/3/teapot 418',
  'RESPONSE /users/4/unavailable 503',
  'RESPONSE /users/5/rejected 500',
];

/** The entry span of each request, by operation name, after checking the app saw what it sees without the agent. */
function entriesOf(run: FixtureRun): Map<string, SpanObject> {
  expect(run.stderr).not.toMatch(/TypeError|ReferenceError|windsock/);
  expect(run.code).toBe(0);
  expect(run.diagnostics).toEqual([]);
  expect(run.stdout.split('\n')).toEqual(EXPECTED_RESPONSES);
  const entries = run.segments.flatMap((s) =>
    s.spans.filter((span) => span.spanType === SpanType.Entry),
  );
  expect(entries).toHaveLength(EXPECTED_RESPONSES.length);
  return new Map(entries.map((span) => [span.operationName, span]));
}

function expectServerErrorsLogged(run: FixtureRun): void {
  const entries = entriesOf(run);
  const broken = entries.get('GET:/users/:id/broken')!;
  expect(broken.isError).toBe(true);
  const [log, ...more] = errorLogs(broken);
  expect(more).toEqual([]);
  expect(log).toMatchObject({ 'error.kind': 'Error', message: 'nest handler broke' });
  // The stack is where the handler threw, in the application's own file.
  expect(log!.stack).toMatch(
    /^Error: nest handler broke\n\s+at UsersController\.broken .*routes\.cjs/,
  );

  const unavailable = entries.get('GET:/users/:id/unavailable')!;
  expect(unavailable.isError).toBe(true);
  expect(errorLogs(unavailable)).toEqual([
    expect.objectContaining({ 'error.kind': 'HttpException', message: 'down for maintenance' }),
  ]);

  const rejected = entries.get('GET:/users/:id/rejected')!;
  expect(rejected.isError).toBe(true);
  expect(errorLogs(rejected)).toEqual([
    expect.objectContaining({
      'error.kind': 'RangeError',
      message: 'no user 5',
      stack: expect.stringMatching(/^RangeError: no user 5\n\s+at UsersController\.rejected /),
    }),
  ]);

  // A 4xx HttpException is the client's error: no error flag, no log, as for any 4xx answer.
  const teapot = entries.get('GET:/users/:id/teapot')!;
  expect(teapot).toMatchObject({ isError: false, logs: [] });
  expect(entries.get('GET:/users/:id')).toMatchObject({ isError: false, logs: [] });
}

describe('NestJS exceptions on the request entry span', () => {
  it.each([
    { file: 'app.mjs', plugins: ['express', 'nestjs'] },
    { file: 'app.cjs', plugins: ['express', 'nestjs'] },
  ])('logs server errors, not 4xx, in $file run with the preload', async ({ file, plugins }) => {
    expectServerErrorsLogged(await runFixture(`${FIXTURES}${file}`, { plugins }));
  });

  it('logs them from a copy of Nest loaded before the agent started', async () => {
    expectServerErrorsLogged(await runFixture(`${FIXTURES}late.cjs`, { plugins: [] }));
  });

  it('logs nothing with the plugin disabled: a 5xx still marks the span as an error', async () => {
    const entries = entriesOf(await runFixture(`${FIXTURES}app.mjs`, { plugins: ['express'] }));
    for (const name of [
      'GET:/users/:id/broken',
      'GET:/users/:id/unavailable',
      'GET:/users/:id/rejected',
    ]) {
      expect(entries.get(name)).toMatchObject({ isError: true, logs: [] });
    }
    expect(entries.get('GET:/users/:id/teapot')).toMatchObject({ isError: false });
  });

  it('never throws into Nest: a hook that fails turns the plugin off with one diagnostic line', async () => {
    const run = await runFixture(`${FIXTURES}app.mjs`, {
      plugins: ['express', 'nestjs'],
      env: { NEST_HOSTILE: '1' },
    });
    expect(run.code).toBe(0);
    // Nest answered as it does without the agent, and went on serving.
    expect(run.stdout.split('\n')).toEqual([
      'RESPONSE /users/6/hostile 500',
      'RESPONSE /users/2/broken 500',
      'RESPONSE /users/1 200',
    ]);
    expect(run.diagnostics).toEqual([
      expect.stringMatching(/nestjs instrumentation turned itself off .*getter says no/),
    ]);
    const entries = run.segments.flatMap((s) =>
      s.spans.filter((span) => span.spanType === SpanType.Entry),
    );
    // Off from then on: the next handler error is left to core's 5xx flag.
    expect(entries.map((e) => [e.operationName, e.isError, errorLogs(e).length])).toEqual([
      ['GET:/users/:id/hostile', true, 0],
      ['GET:/users/:id/broken', true, 0],
      ['GET:/users/:id', false, 0],
    ]);
  });
});

// The ES module hooks run in-thread (module.registerHooks) on the releases that support it, off-thread on Node 20.
describe.each(['22', '24', '26'])('on Node.js %s', (major) => {
  const node = nodeBinary(major);
  it.each([
    { file: 'app.mjs', plugins: ['express', 'nestjs'] },
    { file: 'late.cjs', plugins: [] },
  ])('logs server errors in $file', async ({ file, plugins }) => {
    expectServerErrorsLogged(await runFixture(`${FIXTURES}${file}`, { plugins, node }));
  });
});
