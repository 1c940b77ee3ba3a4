import { status } from '@grpc/grpc-js';
import { TraceSegmentReportServiceDefinition } from '@windsock/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient } from '../test/agent-client.js';
import { segment } from '../test/fixtures.js';
import { type Collector, startCollector } from './collector.js';
import { type Fault, fault } from './fault.js';

// What the reliability tests rely on: the collector's acknowledged count equals, item for item, what the client saw
// answered OK, whatever the faults did to the calls in between.

let collector: Collector;
let rolls: number[] = [];

beforeAll(async () => {
  collector = await startCollector({ random: () => rolls.shift() ?? 0.5 });
});

afterAll(async () => {
  await collector.stop();
});

interface PlannedCall {
  items: number;
  fault: Fault;
  /** A deadline shorter than a long delay makes the client give up first. */
  deadlineMs: number;
}

const quickFault: fc.Arbitrary<Fault> = fc.oneof(
  fc.constant(fault.up()),
  fc.constant(fault.fail(status.UNAVAILABLE, { ratio: 0.5 })),
  fc.constant(fault.fail(status.INTERNAL)),
  fc.integer({ min: 0, max: 5 }).map((n) => fault.reset(n)),
  fc.constant(fault.delay(10)),
  fc.constant(fault.auth('other')),
);

const plannedCall: fc.Arbitrary<PlannedCall> = fc.integer({ min: 0, max: 6 }).chain((items) =>
  fc.oneof(
    quickFault.map((f) => ({ items, fault: f, deadlineMs: 10_000 })),
    // The client gives up while the answer is held back.
    fc.constant({ items, fault: fault.delay(60_000), deadlineMs: 150 }),
  ),
);

describe('accounting under faults', () => {
  it('counts exactly the items of the calls the client saw acknowledged', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(plannedCall, { minLength: 1, maxLength: 6 }),
        fc.array(fc.double({ min: 0, max: 0.999, noNaN: true }), { maxLength: 10 }),
        async (calls, randomRolls) => {
          const client = new AgentClient(collector.address);
          try {
            await collector.setFault(fault.up());
            await collector.setFault(fault.auth(undefined));
            collector.clear();
            rolls = [...randomRolls];
            let delivered = 0;
            let sent = 0;
            for (const call of calls) {
              await collector.setFault(fault.up());
              await collector.setFault(call.fault, { services: ['TraceSegmentReportService'] });
              const segments = Array.from({ length: call.items }, (_, i) =>
                segment(`t${sent + i}`),
              );
              sent += call.items;
              const acknowledged = await client
                .stream(TraceSegmentReportServiceDefinition.collect, segments, {
                  deadline: Date.now() + call.deadlineMs,
                })
                .then(
                  () => true,
                  () => false,
                );
              if (acknowledged) delivered += call.items;
            }
            // Every call the server saw must have ended before the counts are final.
            await collector.waitFor(
              (c) => c.requests().every((request) => request.outcome !== undefined),
              10_000,
            );
            const counts = collector.counts();
            expect(counts.segments).toBe(delivered);
            expect(collector.segments()).toHaveLength(delivered);
            expect(counts.segments + counts.unacknowledged.segments).toBeLessThanOrEqual(sent);
          } finally {
            client.close();
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
