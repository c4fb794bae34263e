// Swapping a built-in module's function for a wrapper that looks like it: same `name` and `length`,
// the same own properties (`realpath.native`, `util.promisify.custom`, ...) unless the wrapper brings
// its own, and a way back that only undoes what is still ours.

// biome-ignore lint/suspicious/noExplicitAny: wrappers stand in for functions of every signature
export type AnyFunction = (this: unknown, ...args: any[]) => any;

/**
 * Replaces `target[name]` (when it is a function) with `make(original)`; returns a function that puts
 * the original back if `target[name]` is still the wrapper (a later wrapper of someone else's is
 * left alone), or undefined when there was nothing to replace.
 */
export function replaceFunction(
  target: object,
  name: string,
  make: (original: AnyFunction) => AnyFunction,
): (() => void) | undefined {
  const slots = target as Record<string, unknown>;
  const original = slots[name];
  if (typeof original !== 'function') return undefined;
  const wrapper = make(original as AnyFunction);
  lookAlike(wrapper, original as AnyFunction);
  slots[name] = wrapper;
  return () => {
    if (slots[name] === wrapper) slots[name] = original;
  };
}

/** Gives `wrapper` the `name`, `length` and other own properties of `original` it lacks. */
export function lookAlike(wrapper: AnyFunction, original: AnyFunction): void {
  for (const key of Reflect.ownKeys(original)) {
    if (key === 'prototype' || key === 'arguments' || key === 'caller') continue;
    const own = Object.getOwnPropertyDescriptor(wrapper, key);
    if (own !== undefined && key !== 'name' && key !== 'length') continue;
    const descriptor = Object.getOwnPropertyDescriptor(original, key);
    if (descriptor) Object.defineProperty(wrapper, key, descriptor);
  }
}

/** The last argument if it is a function (a Node-style callback), else undefined. */
export function callbackOf(args: readonly unknown[]): AnyFunction | undefined {
  const last = args[args.length - 1];
  return typeof last === 'function' ? (last as AnyFunction) : undefined;
}
