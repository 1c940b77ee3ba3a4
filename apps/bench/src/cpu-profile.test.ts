import { describe, expect, it } from 'vitest';
import { type CpuProfile, packageOf, summarizeCpuProfile } from './cpu-profile.js';

describe('packageOf', () => {
  it('names the package a frame belongs to', () => {
    expect(packageOf('node:internal/streams/destroy', 'destroy')).toBe('node:streams');
    expect(packageOf('node:_http_client', 'ClientRequest')).toBe('node:_http_client');
    expect(
      packageOf(
        'file:///w/node_modules/.pnpm/@grpc+grpc-js@1.14.7/node_modules/@grpc/grpc-js/build/src/call.js',
        'write',
      ),
    ).toBe('@grpc/grpc-js');
    expect(packageOf('file:///w/node_modules/.pnpm/x/node_modules/semver/index.js', 'f')).toBe(
      'semver',
    );
    expect(packageOf('file:///w/main/packages/queue/dist/index.js', 'offer')).toBe(
      '@windsock/queue',
    );
    expect(packageOf('file:///w/main/packages/windsock/dist/index.js', 'start')).toBe('windsock');
    expect(packageOf('file:///w/main/apps/bench/src/workload.ts', 'worker')).toBe('bench');
    expect(packageOf('', '(garbage collector)')).toBe('(garbage collector)');
    expect(packageOf('', 'writeUtf8String')).toBe('(native)');
  });
});

describe('summarizeCpuProfile', () => {
  const frame = (id: number, functionName: string, url: string) => ({
    id,
    callFrame: { functionName, url },
  });
  const profile: CpuProfile = {
    nodes: [
      frame(1, '(root)', ''),
      frame(2, 'offer', 'file:///r/packages/queue/dist/index.js'),
      frame(3, 'encode', 'file:///r/packages/protocol/dist/index.js'),
      frame(4, '(idle)', ''),
    ],
    samples: [2, 2, 3, 4, 2],
    timeDeltas: [1000, 1000, 2000, 4000, 2000],
  };

  it('adds up self time per package and per function from the samples', () => {
    const summary = summarizeCpuProfile(profile);
    expect(summary.totalMs).toBe(10);
    expect(summary.byPackage).toEqual([
      { where: '@windsock/queue', share: 0.4 },
      { where: '(idle)', share: 0.4 },
      { where: '@windsock/protocol', share: 0.2 },
    ]);
    expect(summary.byFunction[0]).toEqual({ where: 'offer (@windsock/queue)', share: 0.4 });
  });

  it('charges Node.js internals and native frames to their nearest caller outside Node.js', () => {
    const nested: CpuProfile = {
      nodes: [
        { ...frame(1, '(root)', ''), children: [2, 6] },
        {
          ...frame(2, 'encodeSegment', 'file:///r/packages/protocol/dist/index.js'),
          children: [3],
        },
        { ...frame(3, 'write', 'node:buffer'), children: [4] },
        { ...frame(4, 'writeLatin1String', ''), children: [5] },
        frame(5, '(garbage collector)', ''),
        frame(6, 'writeUtf8String', ''),
      ],
      samples: [4, 4, 3, 6, 5],
      timeDeltas: [1500, 1500, 1000, 500, 2000],
    };
    const summary = summarizeCpuProfile(nested);
    expect(summary.totalMs).toBe(6.5);
    expect(summary.byPackage.map((entry) => entry.where)).toEqual([
      '@windsock/protocol',
      '(garbage collector)',
      '(native)',
    ]);
    expect(summary.byPackage[0]!.share).toBeCloseTo(4 / 6.5);
    expect(summary.byFunction.map((entry) => entry.where)).toEqual([
      'writeLatin1String ((native), for @windsock/protocol)',
      '(garbage collector) ((garbage collector))',
      'write (node:buffer, for @windsock/protocol)',
      'writeUtf8String ((native))',
    ]);
  });

  it('keeps the top entries only, and falls back to hit counts without timings', () => {
    const hits: CpuProfile = {
      nodes: profile.nodes.map((node, index) => ({ ...node, hitCount: index })),
    };
    const summary = summarizeCpuProfile(hits, 2);
    expect(summary.totalMs).toBe(6);
    expect(summary.byPackage.map((entry) => entry.where)).toEqual(['(idle)', '@windsock/protocol']);
  });
});
