import { describe, expect, it } from 'vitest';
import { unwrapped, wrapMethod } from './wrap.js';

class Target {
  calls: string[] = [];
  handle(a: string, b: string): string {
    this.calls.push(`${a}${b}`);
    return 'original';
  }
}

// Reading a method off the prototype is the point of these tests: it is what a patch replaces.
/* eslint-disable @typescript-eslint/unbound-method */
describe('wrapMethod', () => {
  it('wraps with the original arity and name, and the undo restores the original', () => {
    const original = Target.prototype.handle;
    const undo = wrapMethod(
      Target.prototype,
      'handle',
      (fn) =>
        function (this: unknown, ...args: unknown[]) {
          return `wrapped ${String(fn.apply(this, args))}`;
        },
    );
    const target = new Target();
    expect(target.handle('a', 'b')).toBe('wrapped original');
    expect(target.calls).toEqual(['ab']);
    expect(Target.prototype.handle.length).toBe(2);
    expect(Target.prototype.handle.name).toBe('handle');
    expect(unwrapped(Target.prototype.handle)).toBe(original);
    undo();
    expect(Target.prototype.handle).toBe(original);
    expect(Object.prototype.hasOwnProperty.call(Target.prototype, 'handle')).toBe(true);
  });

  it('does not wrap twice, and an undo never removes a wrapper installed over ours', () => {
    const holder: { fn: () => string } = { fn: () => 'x' };
    const undo = wrapMethod(holder, 'fn', (fn) => () => `1${String(fn())}`);
    expect(wrapMethod(holder, 'fn', (fn) => () => `2${String(fn())}`)).toBeTypeOf('function');
    expect(holder.fn()).toBe('1x');
    const ours = holder.fn;
    holder.fn = () => `other ${ours()}`;
    undo();
    expect(holder.fn()).toBe('other 1x');
  });

  it('leaves a target without the method alone', () => {
    const holder: Record<string, unknown> = { other: 1 };
    const undo = wrapMethod(holder, 'missing', (fn) => fn);
    expect(holder).toEqual({ other: 1 });
    undo();
    expect(holder).toEqual({ other: 1 });
  });
});
