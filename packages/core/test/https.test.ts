import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RefType, SpanType } from '@windsock/protocol';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { suppressTracing } from '../src/index.js';
import { tracerWithSink, WAIT } from './helpers.js';

// A throwaway self-signed certificate for 127.0.0.1, made with the system openssl for this run only.
let dir: string;
let key: Buffer;
let cert: Buffer;
let server: https.Server;
let port: number;
const { tracer, sink } = tracerWithSink();

function get(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', port, path, ca: cert }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'windsock-core-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  key = readFileSync(join(dir, 'key.pem'));
  cert = readFileSync(join(dir, 'cert.pem'));
  server = https.createServer({ key, cert }, (req, res) => {
    if (req.url === '/front') {
      get('/back').then(
        (body) => res.end(`front+${body}`),
        () => res.end('failed'),
      );
    } else {
      res.end('back');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  tracer.enableHttpInstrumentation();
});

afterAll(async () => {
  tracer.disable();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('HTTPS', () => {
  it('traces an https server and links an https.get client call', async () => {
    expect(await suppressTracing(() => get('/front'))).toBe('front+back');
    await vi.waitFor(() => expect(sink.segments).toHaveLength(2), WAIT);
    const front = sink.segments.find((s) => s.spans[0]!.operationName === 'GET:/front')!;
    const back = sink.segments.find((s) => s.spans[0]!.operationName === 'GET:/back')!;
    expect(front.spans[0]!.tags).toContainEqual({
      key: 'http.url',
      value: `https://127.0.0.1:${port}/front`,
    });
    const exit = front.spans[1]!;
    expect(exit).toMatchObject({
      spanType: SpanType.Exit,
      peer: `127.0.0.1:${port}`,
      componentId: 2,
    });
    expect(exit.tags).toContainEqual({ key: 'http.url', value: `https://127.0.0.1:${port}/back` });
    expect(back.traceId).toBe(front.traceId);
    expect(back.spans[0]!.refs[0]).toMatchObject({
      refType: RefType.CrossProcess,
      parentTraceSegmentId: front.traceSegmentId,
      parentSpanId: exit.spanId,
    });
  });
});
