import type { Linter } from 'eslint';

/** The shared flat config; `tsconfigRootDir` is the package directory (`import.meta.dirname`). */
export declare function windsock(options: { tsconfigRootDir: string }): Linter.Config[];
export default windsock;
