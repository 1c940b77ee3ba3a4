import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodeSw8, RefType, type SegmentObject } from '@windsock/protocol';
import { beforeAll, describe, expect, it } from 'vitest';

// The fixtures import `@windsock/core` by name, which Node resolves to this package's own built `dist` through its
// `exports` map (package self-reference): they run exactly what users install, ESM and CJS entry alike. turbo builds
// the package before its tests; run alone (vitest in this folder), the test builds what is missing. It never
// rebuilds over an existing dist/: a clean build would delete the files other packages' builds and tests are reading.
const packageDir = fileURLToPath(new URL('..', import.meta.url));

beforeAll(() => {
  for (const pkg of ['protocol', 'core']) {
    if (existsSync(new URL(`../../${pkg}/dist/index.cjs`, import.meta.url))) continue;
    execFileSync('pnpm', ['--filter', `@windsock/${pkg}`, 'run', 'build'], {
      cwd: packageDir,
      stdio: 'ignore',
    });
  }
}, 180_000);

const incoming = {
  sample: true,
  traceId: 'fixture-trace',
  parentSegmentId: 'fixture-segment',
  parentSpanId: 4,
  parentService: 'test-runner',
  parentServiceInstance: 'runner-1',
  parentEndpoint: 'GET:/run',
  addressUsedAtClient: 'fixture-host:80',
};

function runFixture(file: string): Promise<SegmentObject[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [`test/fixtures/${file}`],
      {
        cwd: packageDir,
        timeout: 20_000,
        env: { ...process.env, INCOMING_SW8: encodeSw8(incoming) },
      },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${file} failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as SegmentObject[]);
      },
    );
  });
}

function expectTracedApp(segments: SegmentObject[], service: string, backendOperations: string[]) {
  expect(segments).toHaveLength(3);
  expect(new Set(segments.map((s) => s.traceId))).toEqual(new Set(['fixture-trace']));
  const front = segments.find((s) => s.spans[0]!.operationName === 'GET:/front')!;
  expect(front.service).toBe(service);
  expect(front.spans[0]!.refs[0]).toMatchObject({
    refType: RefType.CrossProcess,
    ...{ parentSpanId: 4 },
  });
  expect(
    front.spans
      .slice(1)
      .map((s) => s.operationName)
      .sort(),
  ).toEqual([...backendOperations].sort());
  for (const operation of backendOperations) {
    const backend = segments.find((s) => s.spans[0]!.operationName === `GET:${operation}`)!;
    const exit = front.spans.find((s) => s.operationName === operation)!;
    expect(backend.spans[0]!.refs[0]).toMatchObject({
      parentTraceSegmentId: front.traceSegmentId,
      parentSpanId: exit.spanId,
      parentEndpoint: 'GET:/front',
      parentService: service,
    });
  }
}

describe('fixture applications (built package, child processes)', () => {
  it('traces an ES module app using named node:http imports and fetch', async () => {
    expectTracedApp(await runFixture('esm-app.mjs'), 'esm-app', ['/by-fetch', '/by-get']);
  });

  it('traces a CommonJS app using http.request and fetch', async () => {
    expectTracedApp(await runFixture('cjs-app.cjs'), 'cjs-app', ['/by-request', '/by-fetch']);
  });
});
