import { describe, expect, test } from 'vitest';
import type { AgentStatus, PipelineStatus } from 'windsock';
import { deliveryMismatches, identityViolations } from './accounting.js';

function pipeline(overrides: Partial<PipelineStatus> = {}): PipelineStatus {
  return {
    produced: 10,
    delivered: 5,
    queued: 2,
    queuedBytes: 200,
    inFlight: 1,
    dropped: { overflow: 1, expired: 0, rejected: 0, unacknowledged: 1, shutdown: 0 },
    ...overrides,
  };
}

function status(segments: PipelineStatus): AgentStatus {
  return {
    state: 'connected',
    backends: [],
    pipelines: { segments, logs: pipeline(), meters: pipeline() },
  };
}

describe('identityViolations', () => {
  test('accepts a status whose every pipeline adds up', () => {
    expect(identityViolations(status(pipeline()))).toEqual([]);
  });

  test('names the pipeline whose items are unaccounted for', () => {
    const [violation] = identityViolations(status(pipeline({ produced: 11 })));
    expect(violation).toMatch(/^segments: produced 11/);
  });
});

describe('deliveryMismatches', () => {
  const acknowledged = { segments: 5, logs: 5, meters: 5 };

  test('equal counts pass', () => {
    expect(deliveryMismatches(status(pipeline()), acknowledged)).toEqual([]);
  });

  test('an OK the agent never saw (counted unacknowledged) is allowed, one more is a duplicate', () => {
    expect(deliveryMismatches(status(pipeline()), { ...acknowledged, segments: 6 })).toEqual([]);
    expect(deliveryMismatches(status(pipeline()), { ...acknowledged, segments: 7 })).toHaveLength(
      1,
    );
  });

  test('delivered but unknown to the collector fails', () => {
    expect(deliveryMismatches(status(pipeline()), { ...acknowledged, segments: 4 })).toHaveLength(
      1,
    );
  });
});
