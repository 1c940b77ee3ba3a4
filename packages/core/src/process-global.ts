/**
 * One value per process, shared by every copy of this package that is loaded: the ESM and CommonJS builds (an app
 * that `import`s windsock while a dependency `require`s `@windsock/core/pino`), or two installed versions. The
 * async context and the agent guard must be single, or a span active in one copy would be invisible to the other,
 * and agent code running in one copy would not be recognised by the other's loggers.
 */
export function processGlobal<T>(name: string, create: () => T): T {
  const key = Symbol.for(`windsock.${name}`);
  const holder = globalThis as unknown as Record<symbol, T | undefined>;
  let value = holder[key];
  if (value === undefined) {
    value = create();
    holder[key] = value;
  }
  return value;
}
