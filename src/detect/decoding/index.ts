// Decoding: undoes the encodings attackers use to slip path and shell syntax past a filter (percent,
// overlong UTF-8, `%u`, HTML references, backslash escapes, Unicode look-alikes, NUL bytes), so the
// detectors look at what a server, a framework or a shell may end up seeing.
//   decode.ts           the decoder: bounded rounds over reusable buffers, linear time
//   html-references.ts  `&#46;`, `&#x2f;`, `&sol;`...
//   lookalikes.ts       full-width and other characters that normalise to ASCII punctuation
// Knows nothing of paths or shells; both detectors and the sink detectors read through it.
export {
  decodeDerived,
  decodedNul,
  decodeForInspection,
  ENCODING_START,
  encodingAt,
  noteUndecoded,
  withoutNul,
} from './decode.js';
