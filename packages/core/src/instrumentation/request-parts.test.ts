import http from 'node:http';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { hasCreatedChannel } from '../../test/helpers.js';
import { splitOrigin } from './fetch.js';
import { peerOf } from './http-client.js';
import { pathOf } from './instrumented-tracer.js';

describe('pathOf', () => {
  it('drops the query string and fragment', () => {
    expect(pathOf('/a/b?x=1&y=2')).toBe('/a/b');
    expect(pathOf('/a#frag?x')).toBe('/a');
    expect(pathOf('/plain')).toBe('/plain');
    expect(pathOf('?only')).toBe('');
  });
});

describe('peerOf', () => {
  const requests: http.ClientRequest[] = [];
  afterEach(() => {
    for (const request of requests.splice(0)) request.destroy();
  });

  function requestTo(options: http.RequestOptions): http.ClientRequest {
    // A lookup that never answers: the request is fully built (Host header included) but never connects.
    const request = http.request({ ...options, lookup: () => {} });
    request.on('error', () => {});
    requests.push(request);
    return request;
  }

  it('is host:port, with the default port filled in', () => {
    expect(peerOf(requestTo({ host: 'orders', port: 8080 }))).toBe('orders:8080');
    expect(peerOf(requestTo({ host: 'orders' }))).toBe('orders:80');
    expect(peerOf(requestTo({ host: '::1', port: 9000 }))).toBe('[::1]:9000');
  });

  it('uses the address the caller wrote in the Host header', () => {
    expect(
      peerOf(requestTo({ host: '10.0.0.1', port: 81, headers: { host: 'api.internal:81' } })),
    ).toBe('api.internal:81');
  });
});

describe('hasCreatedChannel', () => {
  it('is true from Node 22.12 and 23.2 on', () => {
    expect(hasCreatedChannel('20.20.2')).toBe(false);
    expect(hasCreatedChannel('22.11.0')).toBe(false);
    expect(hasCreatedChannel('22.12.0')).toBe(true);
    expect(hasCreatedChannel('23.1.0')).toBe(false);
    expect(hasCreatedChannel('23.2.0')).toBe(true);
    expect(hasCreatedChannel('24.0.0')).toBe(true);
  });
});

describe('splitOrigin', () => {
  it('returns the scheme and host:port, with default ports filled in', () => {
    expect(splitOrigin('http://127.0.0.1:8080')).toEqual({
      scheme: 'http:',
      peer: '127.0.0.1:8080',
    });
    expect(splitOrigin('https://api.example.com')).toEqual({
      scheme: 'https:',
      peer: 'api.example.com:443',
    });
    expect(splitOrigin('http://[::1]')).toEqual({ scheme: 'http:', peer: '[::1]:80' });
    expect(splitOrigin('http://[::1]:9000/')).toEqual({ scheme: 'http:', peer: '[::1]:9000' });
    expect(splitOrigin('http://user:pw@host:81')).toEqual({ scheme: 'http:', peer: 'host:81' });
  });

  it('agrees with the URL parser on host and port (property)', () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: false, withFragments: false }), (text) => {
        const url = new URL(text);
        const { scheme, peer } = splitOrigin(url.origin);
        const port = url.port || (url.protocol === 'https:' ? '443' : '80');
        expect(scheme).toBe(url.protocol);
        expect(peer).toBe(`${url.hostname}:${port}`);
      }),
    );
  });
});
