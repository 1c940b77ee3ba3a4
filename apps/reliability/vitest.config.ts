import { windsockVitest } from '@windsock/vitest-config';

// Each scenario starts a collector and an instrumented app under load in a child process: on 2 shared cores a
// scenario takes several seconds, so tests get room, and at most two scenarios run at once.
export default windsockVitest({
  test: { testTimeout: 90_000, hookTimeout: 60_000, maxConcurrency: 2 },
});
