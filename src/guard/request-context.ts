// The request a sink call is made for: its client address and inputs, carried through the
// application's asynchronous work by AsyncLocalStorage so a wrapped `exec` or `readFile` deep inside
// the app knows which request's inputs to look for. Inputs are bounded in number and size, so a
// request cannot make the check at the sink expensive.

import { AsyncLocalStorage } from 'node:async_hooks';

/** Most inputs one request keeps for the sink guard; the rest are counted as dropped. */
export const MAX_INPUTS = 256;
/** Longest input kept, in UTF-16 code units; a longer one is checked by its first this many. */
export const MAX_INPUT_LENGTH = 4096;
/** Most code units one request's inputs keep together. */
export const MAX_TOTAL_LENGTH = 262_144;
// A shorter input is never a finding at a sink: not worth keeping.
const MIN_INPUT_LENGTH = 2;

/** What {@link withRequestInputs} takes: the client address and the values the request carried. */
export interface RequestInputs {
  /** The client address (any common form, as `recordCommandInjection` takes it). */
  ip: string;
  /** Values from the request: query and form values, JSON strings, path parameters, cookies... */
  inputs: readonly string[];
  /** The account the request is made as, for the alert's `userId`. */
  userId?: string;
}

/** One input of a request: its value and, when known, where it came from (`query.host`). */
export interface RequestInput {
  readonly value: string;
  readonly field: string | undefined;
}

/** Adds one input (the collector of a request calls it for each value it finds). */
export type AddInput = (value: unknown, field?: string) => void;

/**
 * One request's context. Its inputs are collected on first use (most requests never reach a sink),
 * by the `collect` function the request's guard gave.
 */
export class RequestContext {
  // Inputs turned away by the bounds, not yet counted.
  private dropped = 0;
  private inputs: RequestInput[] | undefined;
  private seen: Set<string> | undefined;
  private length = 0;
  // Findings already recorded for this request (`kind:value`), so a loop does not raise an alert storm.
  private recorded: Set<string> | undefined;

  constructor(
    readonly ip: string,
    readonly userId: string | undefined,
    private readonly collect: (add: AddInput) => void,
  ) {}

  /** The request's inputs (collected now if not yet). */
  values(): readonly RequestInput[] {
    if (this.inputs === undefined) {
      this.inputs = [];
      this.seen = new Set();
      this.collect((value, field) => this.add(value, field));
      this.seen = undefined;
    }
    return this.inputs;
  }

  /** The number of inputs dropped since last asked (so each is counted once). */
  takeDropped(): number {
    const dropped = this.dropped;
    this.dropped = 0;
    return dropped;
  }

  /** Whether a finding of `kind` for `value` is the first in this request (and remembers it). */
  firstFinding(kind: string, value: string): boolean {
    this.recorded ??= new Set();
    const key = `${kind}:${value}`;
    if (this.recorded.has(key)) return false;
    this.recorded.add(key);
    return true;
  }

  private add(value: unknown, field: string | undefined): void {
    if (typeof value !== 'string' || value.length < MIN_INPUT_LENGTH) return;
    const kept = value.length > MAX_INPUT_LENGTH ? value.slice(0, MAX_INPUT_LENGTH) : value;
    if (this.seen!.has(kept)) return;
    if (this.inputs!.length >= MAX_INPUTS || this.length + kept.length > MAX_TOTAL_LENGTH) {
      this.dropped++;
      return;
    }
    this.seen!.add(kept);
    this.length += kept.length;
    this.inputs!.push({ value: kept, field });
  }
}

const storage = new AsyncLocalStorage<RequestContext>();
let activeGuards = 0;

/** The context of the request being served, if any. */
export function currentRequest(): RequestContext | undefined {
  return activeGuards === 0 ? undefined : storage.getStore();
}

/** Whether a sink guard is installed (request guards only set a context then: it has a cost). */
export function sinkGuardActive(): boolean {
  return activeGuards > 0;
}

/** Counts a sink guard in (and, with the returned function, out). */
export function registerSinkGuard(): () => void {
  activeGuards++;
  let registered = true;
  return () => {
    if (registered) activeGuards--;
    registered = false;
  };
}

/** Runs `fn` (returning what it returns) with `context` as the current request's. */
export function runInRequest<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/**
 * Runs `fn` as the handling of one request whose client address and inputs are given, so the sink
 * guard (`guardSinks`) checks them at every shell command and file path `fn` (and the asynchronous
 * work it starts) reaches. For frameworks other than Express (whose `requestGuard` sets this up by
 * itself). Returns what `fn` returns. Inputs that are not strings, shorter than 2 characters or past
 * the bounds (256 inputs, 4,096 characters each, 256 KiB together) are not kept; a bad `request` is
 * treated as one without inputs. Without an installed sink guard `fn` simply runs.
 */
export function withRequestInputs<T>(request: RequestInputs, fn: () => T): T {
  const given: Partial<RequestInputs> = typeof request === 'object' && request !== null ? request : {};
  const ip = typeof given.ip === 'string' ? given.ip : '';
  const userId = typeof given.userId === 'string' ? given.userId : undefined;
  const inputs = Array.isArray(given.inputs) ? given.inputs : [];
  const context = new RequestContext(ip, userId, (add) => {
    for (let i = 0; i < inputs.length; i++) add(inputs[i], `inputs[${i}]`);
  });
  return storage.run(context, fn);
}
