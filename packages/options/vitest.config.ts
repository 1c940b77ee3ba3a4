import { windsockVitest } from '@windsock/vitest-config';

export default windsockVitest();
