import { windsockTsup } from '@windsock/tsup-config';

export default windsockTsup();
