import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLineSplitter } from '../../src/sources/line-splitter.js';

type Item = { line: string; end: number } | { tooLong: number };

function split(chunks: Buffer[], maxLineBytes?: number) {
  const items: Item[] = [];
  const splitter = createLineSplitter(
    { line: (line, end) => items.push({ line, end }), tooLong: (end) => items.push({ tooLong: end }) },
    maxLineBytes,
  );
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return { items, splitter };
}

/** `bytes` cut into chunks at the given offsets. */
function cut(bytes: Buffer, offsets: number[]): Buffer[] {
  const points = [...new Set(offsets.filter((o) => o > 0 && o < bytes.length))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  return chunks;
}

describe('line splitter', () => {
  it('splits on \\n, strips a \\r before it, and delivers a last line without a newline', () => {
    const { items } = split([Buffer.from('one\r\ntwo\n\nthree')]);
    expect(items).toEqual([
      { line: 'one', end: 5 },
      { line: 'two', end: 9 },
      { line: '', end: 10 },
      { line: 'three', end: 15 },
    ]);
  });

  it('gives the same lines however the bytes are cut into chunks, multi-byte characters included', () => {
    const text = 'día 1 ✓\nnaïve 🙂 user\r\n\nend';
    const bytes = Buffer.from(text);
    const whole = split([bytes]).items;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }), (offsets) => {
        expect(split(cut(bytes, offsets)).items).toEqual(whole);
      }),
    );
    expect(whole.map((item) => ('line' in item ? item.line : undefined))).toEqual([
      'día 1 ✓',
      'naïve 🙂 user',
      '',
      'end',
    ]);
  });

  it('decodes invalid UTF-8 with replacement characters instead of failing', () => {
    const bytes = Buffer.concat([Buffer.from('bad '), Buffer.from([0xff, 0xc3]), Buffer.from(' bytes\n')]);
    expect(split([bytes]).items).toEqual([{ line: 'bad \ufffd\ufffd bytes', end: 13 }]);
  });

  it('skips a line over the bound whole and counts it, in one chunk, across chunks and at the end', () => {
    const long = 'x'.repeat(20);
    const bytes = Buffer.from(`short\n${long}\nok\n${long}`);
    const expected = [{ line: 'short', end: 6 }, { tooLong: 27 }, { line: 'ok', end: 30 }, { tooLong: 50 }];
    expect(split([bytes], 10).items).toEqual(expected);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }), (offsets) => {
        expect(split(cut(bytes, offsets), 10).items).toEqual(expected);
      }),
    );
  });

  it('accepts a line of exactly the bound and refuses one byte more (a \\r counts)', () => {
    expect(split([Buffer.from('0123456789\n01234567890\n012345678\r\n0123456789\r\n')], 10).items).toEqual([
      { line: '0123456789', end: 11 },
      { tooLong: 23 },
      { line: '012345678', end: 34 },
      { tooLong: 46 },
    ]);
  });

  it('holds no more than the bound of a line that never ends', () => {
    const items: Item[] = [];
    const splitter = createLineSplitter(
      { line: (line, end) => items.push({ line, end }), tooLong: (end) => items.push({ tooLong: end }) },
      1024,
    );
    const junk = Buffer.alloc(64 * 1024, 0x41);
    for (let i = 0; i < 200; i++) splitter.push(junk); // 12.5 MiB, no newline
    splitter.push(Buffer.from('\nafter\n'));
    splitter.end();
    expect(items).toEqual([{ tooLong: 200 * 65536 + 1 }, { line: 'after', end: 200 * 65536 + 7 }]);
    expect(splitter.bytesConsumed).toBe(splitter.bytesRead);
  });

  it('tells the resume position: the end of the last complete line, not of a partial one', () => {
    const { splitter } = { splitter: createLineSplitter({ line: () => {}, tooLong: () => {} }) };
    splitter.push(Buffer.from('a\nbc\npartial'));
    expect(splitter.bytesConsumed).toBe(5);
    expect(splitter.bytesRead).toBe(12);
  });

  it('resumes at an offset, inside a too-long line too: the resume offset never repeats a line', () => {
    const items: Item[] = [];
    const sink = {
      line: (line: string, end: number) => items.push({ line, end }),
      tooLong: (end: number) => items.push({ tooLong: end }),
    };
    const first = createLineSplitter(sink, 10);
    first.push(Buffer.from('ok\n0123456789abc'));
    // Inside a line over the bound: what is read of it is consumed, and it is not counted yet.
    expect([first.skipping, first.resumeOffset, first.bytesConsumed]).toEqual([true, 16, 3]);
    const second = createLineSplitter(sink, 10, { offset: first.resumeOffset, skipping: first.skipping });
    second.push(Buffer.from('def\nnext\npart'));
    expect(items).toEqual([{ line: 'ok', end: 3 }, { tooLong: 20 }, { line: 'next', end: 25 }]);
    expect([second.skipping, second.resumeOffset]).toEqual([false, 25]);
  });

  it('refuses a bad bound', () => {
    expect(() => createLineSplitter({ line: () => {}, tooLong: () => {} }, 0)).toThrow(
      'maxLineBytes must be an integer from 1 to 2^30 (got 0)',
    );
  });
});
