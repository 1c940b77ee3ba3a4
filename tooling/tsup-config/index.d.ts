import type { Options } from 'tsup';

/** The shared library build, with a package's own entries and options merged over it. */
export declare function windsockTsup(overrides?: Options): Options;
export default windsockTsup;
