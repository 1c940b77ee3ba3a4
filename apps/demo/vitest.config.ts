import { windsockVitest } from '@windsock/vitest-config';

// The browser test starts a collector, two instrumented services and Chromium: give it room on a 2-core machine.
export default windsockVitest({ test: { testTimeout: 120_000, hookTimeout: 60_000 } });
