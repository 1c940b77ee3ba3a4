import { windsockVitest } from '@windsock/vitest-config';

// Each test starts real servers and an instrumented app in a child process: room for a slow first start.
export default windsockVitest({ test: { testTimeout: 90_000, hookTimeout: 90_000 } });
