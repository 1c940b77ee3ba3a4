import { format } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ping } from '../test/fixtures.js';
import { transportFor } from '../test/harness.js';
import { guardGrpcLogs } from './index.js';

afterEach(() => {
  delete process.env.grpc_proxy;
  vi.restoreAllMocks();
});

describe('guardGrpcLogs', () => {
  it("routes grpc-js's own log lines through the guard, then gives grpc-js its logger back", async () => {
    const printed: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      printed.push(format(...args));
    });
    // A proxy that refuses: grpc-js logs "Failed to connect to proxy" at its default verbosity (ERROR).
    process.env.grpc_proxy = 'http://127.0.0.1:1';
    let guarded = 0;
    const restore = guardGrpcLogs((write) => {
      guarded += 1;
      write();
    });
    const transport = transportFor('127.0.0.1:2');
    expect((await transport.keepAlive(ping)).ok).toBe(false);
    // The same output as without the guard, every line of it written through the guard.
    const proxyLines = printed.filter((line) => line.startsWith('E ') && /proxy/i.test(line));
    expect(proxyLines.length).toBeGreaterThan(0);
    expect(guarded).toBe(printed.length);

    restore();
    const before = guarded;
    const again = transportFor('127.0.0.1:3');
    expect((await again.keepAlive(ping)).ok).toBe(false);
    expect(printed.length).toBeGreaterThan(before);
    expect(guarded).toBe(before);
  });
});
