import { type Instrumentation } from '@windsock/core';

/**
 * Every library instrumentation, in the order they are enabled. Adding one: a folder under `src/` named after the
 * library, exporting its `Instrumentation`, listed here. The facade's `disablePlugins` names and the README's list
 * are generated from this array.
 */
export const LIBRARY_INSTRUMENTATIONS: readonly Instrumentation[] = [];
