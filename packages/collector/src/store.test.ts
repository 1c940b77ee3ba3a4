import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { segment } from '../test/fixtures.js';
import { CollectorStore } from './store.js';

describe('CollectorStore', () => {
  it('retains at most `retain` of each kind while counting everything acknowledged', () => {
    fc.assert(
      fc.property(fc.nat(10), fc.array(fc.nat(5), { maxLength: 20 }), (retain, batches) => {
        const store = new CollectorStore(retain);
        let sent = 0;
        for (const size of batches) {
          store.acknowledgeSegments(
            Array.from({ length: size }, (_, i) => segment(`t${sent + i}`)),
          );
          sent += size;
        }
        expect(store.counts().segments).toBe(sent);
        expect(store.segments().map((s) => s.traceId)).toEqual(
          Array.from({ length: sent }, (_, i) => `t${i}`).slice(sent - Math.min(retain, sent)),
        );
      }),
    );
  });

  it('keeps the most recently seen instances when over the cap', () => {
    let now = 0;
    const store = new CollectorStore(
      2,
      () => {},
      () => ++now,
    );
    const ping = (serviceInstance: string) => ({ service: 's', serviceInstance, layer: '' });
    store.acknowledgeKeepAlive(ping('a'), undefined);
    store.acknowledgeKeepAlive(ping('b'), undefined);
    store.acknowledgeKeepAlive(ping('a'), '1.0');
    store.acknowledgeKeepAlive(ping('c'), undefined);
    expect(store.instances().map((i) => [i.serviceInstance, i.keepAlives])).toEqual([
      ['a', 2],
      ['c', 1],
    ]);
    expect(store.instances()[0]).toMatchObject({ lastKeepAliveAt: 3, agentVersion: '1.0' });
    expect(store.counts().keepAlives).toBe(4);
  });

  it('keeps an instance distinct per service even when names could collide', () => {
    const store = new CollectorStore(10);
    store.acknowledgeKeepAlive({ service: 'a/b', serviceInstance: 'c', layer: '' }, undefined);
    store.acknowledgeKeepAlive({ service: 'a', serviceInstance: 'b/c', layer: '' }, undefined);
    expect(store.instances()).toHaveLength(2);
  });

  it('settle records the outcome on the request and wakes listeners', () => {
    let changes = 0;
    const store = new CollectorStore(10, () => (changes += 1));
    const request = store.beginRequest({ method: '/m', peer: 'p' });
    store.countUnacknowledged('logs', 3);
    store.settle(request, 'rejected');
    expect(store.requests()).toEqual([
      expect.objectContaining({ method: '/m', outcome: 'rejected' }),
    ]);
    expect(store.counts()).toMatchObject({
      logs: 0,
      unacknowledged: { logs: 3 },
      calls: { rejected: 1 },
    });
    expect(changes).toBe(2);
  });

  it('returns copies: callers cannot corrupt the retained state', () => {
    const store = new CollectorStore(10);
    store.acknowledgeKeepAlive({ service: 's', serviceInstance: 'i', layer: '' }, undefined);
    store.instances()[0]!.keepAlives = 99;
    store.counts().unacknowledged.logs = 99;
    expect(store.instances()[0]!.keepAlives).toBe(1);
    expect(store.counts().unacknowledged.logs).toBe(0);
  });
});
