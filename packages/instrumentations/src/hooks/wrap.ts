const kOriginal = Symbol.for('windsock.original');

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/** A wrapper installed by `wrapMethod`: it remembers the function it replaced. */
interface Wrapped extends AnyFunction {
  [kOriginal]?: AnyFunction;
}

/**
 * Replaces `target[key]` with `makeWrapper(original)` and returns the undo. The undo restores the original only while
 * our wrapper is still in place, so it never removes a wrapper somebody installed over ours. A target without such a
 * function is left alone (the undo then does nothing): a library version that renamed it is not an error.
 */
export function wrapMethod<T extends object>(
  target: T,
  key: PropertyKey,
  makeWrapper: (original: AnyFunction) => AnyFunction,
): () => void {
  const holder = target as Record<PropertyKey, unknown>;
  const original = holder[key];
  if (typeof original !== 'function') return noop;
  if ((original as Wrapped)[kOriginal] !== undefined) return noop;
  const wrapper = makeWrapper(original as AnyFunction) as Wrapped;
  wrapper[kOriginal] = original as AnyFunction;
  copyShape(original as AnyFunction, wrapper);
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  Object.defineProperty(target, key, {
    configurable: true,
    enumerable: descriptor?.enumerable ?? false,
    writable: true,
    value: wrapper,
  });
  return () => {
    if (holder[key] !== wrapper) return;
    if (descriptor === undefined) delete holder[key];
    else Object.defineProperty(target, key, descriptor);
  };
}

/** The function a wrapper replaced, or the function itself. */
export function unwrapped<F>(fn: F): F {
  return ((fn as Wrapped | undefined)?.[kOriginal] as F | undefined) ?? fn;
}

// Libraries read `length` and `name` (Express tells error handlers from middleware by arity).
function copyShape(from: AnyFunction, to: AnyFunction): void {
  try {
    Object.defineProperty(to, 'length', { value: from.length, configurable: true });
    Object.defineProperty(to, 'name', { value: from.name, configurable: true });
  } catch {
    // Shape is a nicety; a frozen function keeps the wrapper's own.
  }
}

function noop(): void {}
