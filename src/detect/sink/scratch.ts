// Typed arrays reused from one call to the next: a sink check runs on every guarded call of a
// request, and allocating (and collecting) a few arrays per call costs more than the reading itself.
// A detector call is never re-entered while it uses its arrays (a nested shell's script is read after
// the outer command's arrays are done with), so one buffer per purpose is enough.

// Buffers up to this many elements are kept between calls; a larger one is allocated for its call.
const RETAINED = 1 << 16;

type TypedArray = Uint8Array | Uint16Array | Int32Array;

/** One reusable typed array, handed out zeroed over the length asked for. */
export class Scratch<T extends TypedArray> {
  private buffer: T;

  constructor(private readonly make: (length: number) => T) {
    this.buffer = make(256);
  }

  /** An array of at least `length` elements, the first `length` of them 0. */
  take(length: number): T {
    if (length > RETAINED) return this.make(length);
    if (this.buffer.length < length)
      this.buffer = this.make(Math.min(RETAINED, Math.max(length, this.buffer.length * 2)));
    this.buffer.fill(0, 0, length);
    return this.buffer;
  }
}

export const uint8 = (length: number) => new Uint8Array(length);
export const uint16 = (length: number) => new Uint16Array(length);
export const int32 = (length: number) => new Int32Array(length);
