import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CertificateFiles,
  logFrame,
  makeCertificates,
  ping,
  segmentFrames,
} from '../test/fixtures.js';
import { collectorFor, transportFor } from '../test/harness.js';
import { createTransport, OptionsError } from './index.js';

let certs: CertificateFiles;
beforeAll(() => {
  certs = makeCertificates();
});
afterAll(() => rmSync(certs.dir, { recursive: true, force: true }));

const tls = () => ({ cert: certs.read(certs.serverCert), key: certs.read(certs.serverKey) });

describe('TLS', () => {
  it('sends over TLS trusting a CA file', async () => {
    const collector = await collectorFor({ tls: tls() });
    const transport = transportFor(collector.address, { caPath: certs.ca });
    expect(await transport.sendSegments(segmentFrames(3))).toMatchObject({ ok: true });
    expect(collector.counts().segments).toBe(3);
    // Logs go on the burst connection, which verifies the server the same way.
    expect(await transport.sendLogs([logFrame('tls')])).toMatchObject({ ok: true });
    expect(collector.counts().logs).toBe(1);
  });

  it('a server the CA did not sign fails the handshake: safe, nothing delivered', async () => {
    const collector = await collectorFor({ tls: tls() });
    // System roots do not know the test CA.
    const transport = transportFor(collector.address, { secure: true });
    const result = await transport.keepAlive(ping);
    expect(result).toMatchObject({ ok: false, code: status.UNAVAILABLE, retry: 'safe' });
    const logs = await transport.sendLogs([logFrame('untrusted')]);
    expect(logs).toMatchObject({ ok: false, code: status.UNAVAILABLE, retry: 'safe' });
    expect(collector.requests()).toEqual([]);
  });

  it('mTLS: a client certificate is presented; without one the server refuses', async () => {
    const collector = await collectorFor({ tls: { ...tls(), clientCa: certs.read(certs.ca) } });
    const mutual = transportFor(collector.address, {
      caPath: certs.ca,
      certPath: certs.clientCert,
      keyPath: certs.clientKey,
    });
    expect(await mutual.sendSegments(segmentFrames(2))).toMatchObject({ ok: true });
    const anonymous = transportFor(collector.address, { caPath: certs.ca });
    expect(await anonymous.sendSegments(segmentFrames(2))).toMatchObject({ ok: false });
    expect(collector.counts().segments).toBe(2);
    expect(await mutual.sendLogs([logFrame('mutual')])).toMatchObject({ ok: true });
    expect(await anonymous.sendLogs([logFrame('anonymous')])).toMatchObject({ ok: false });
    expect(collector.logs().map((log) => log.body?.text?.text)).toEqual(['mutual']);
  });
});

describe('bad configuration throws at creation', () => {
  it.each([
    [{ backends: '' }, /no backend address/],
    [{ backends: [] }, /no backend address/],
    [{ backends: 'oap' }, /backends = "oap": expected "host:port"/],
    [{ backends: 'oap:99999' }, /backends = "oap:99999"/],
    [{ backends: 'a:1, http://b:2' }, /backends = "http:\/\/b:2"/],
    [{ backends: 'oap:11800', deadlines: { segments: 0 } }, /deadlines.segments = 0/],
    [
      { backends: 'oap:11800', deadlines: { bogus: 1 } },
      /deadlines.bogus = 1: expected a call kind/,
    ],
    [{ backends: 'oap:11800', keepalive: { timeMs: -1 } }, /keepalive.timeMs = -1/],
  ])('%j', (options, message) => {
    expect(() => createTransport(options as never)).toThrow(message);
  });

  it('names a missing or non-PEM certificate file', () => {
    const missing = join(certs.dir, 'missing.crt');
    expect(() => createTransport({ backends: 'oap:11800', caPath: missing })).toThrow(
      /caPath = ".*missing\.crt": expected a readable file \(.*ENOENT/,
    );
    expect(() =>
      createTransport({ backends: 'oap:11800', caPath: certs.ca, certPath: certs.clientCert }),
    ).toThrow(/both certPath and keyPath/);
    const notPem = join(certs.dir, 'not-a-certificate.txt');
    writeFileSync(notPem, 'subjectAltName=DNS:localhost\n');
    expect(() => createTransport({ backends: 'oap:11800', caPath: notPem })).toThrow(
      /caPath = ".*not-a-certificate\.txt": expected a PEM file/,
    );
  });

  it('lists every problem in one OptionsError', () => {
    let error: unknown;
    try {
      createTransport({
        backends: 'oap, b:2',
        deadlines: { logs: -1 },
        reconnectDelayMs: 0,
        certPath: certs.clientCert,
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(OptionsError);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(
      /^windsock transport: invalid options \(4 problems\):\n/,
    );
    expect((error as OptionsError).problems.map((p) => p.name)).toEqual([
      'backends',
      'deadlines.logs',
      'certPath/keyPath',
      'reconnectDelayMs',
    ]);
  });

  it('accepts lists with spaces and duplicates, and IPv6 literals', () => {
    const transport = transportFor(' a:1 , b:2,a:1,[::1]:3 ');
    expect(transport.backends().map((b) => b.address)).toEqual(['a:1', 'b:2', '[::1]:3']);
  });
});
