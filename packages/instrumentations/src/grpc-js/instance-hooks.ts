import { wrapMethod } from '../hooks/wrap.js';

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/** What a hooked method does for a registered instance: it calls `original` itself (or not). */
export type Around<R> = (
  original: AnyFunction,
  record: R,
  self: object,
  args: unknown[],
) => unknown;

/**
 * Per-call behaviour for methods of classes grpc-js does not export (its channel call, its server call objects).
 * The first instance of a class that is attached gets the class's prototype method wrapped, once; from then on an
 * attached instance takes the `around` path and every other instance the original, at the cost of one `WeakMap`
 * lookup. Nothing is written on the instances themselves: their shape stays as grpc-js made it, and attaching a call
 * costs one map entry instead of new function objects on it.
 */
export class InstanceHooks<R> {
  private readonly records = new WeakMap<object, R>();
  private readonly patched = new WeakSet<object>();
  private readonly undos: (() => void)[] = [];

  constructor(private readonly methods: Readonly<Record<string, Around<R>>>) {}

  attach(instance: object, record: R): void {
    this.records.set(instance, record);
    const proto = Object.getPrototypeOf(instance) as object | null;
    // Only a class of its own: never a prototype shared with everything else (a plain object's, or none).
    if (proto === null || proto === Object.prototype || this.patched.has(proto)) return;
    this.patched.add(proto);
    const records = this.records;
    for (const [key, around] of Object.entries(this.methods)) {
      this.undos.push(
        wrapMethod(
          proto,
          key,
          (original) =>
            function (this: unknown, ...args: unknown[]): unknown {
              const found = records.get(this as object);
              return found === undefined
                ? original.apply(this, args)
                : around(original, found, this as object, args);
            },
        ),
      );
    }
  }

  undo(): void {
    for (const undo of this.undos.splice(0).reverse()) undo();
  }
}
