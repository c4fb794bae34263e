// A static check for the regular expressions operators write in custom formats. JavaScript regexes
// backtrack, and the lines they run on are hostile: a pattern such as `(\w+)+$` or `(.*,)*x` takes
// exponential time on a crafted line. The classic cause is a quantified group holding a quantifier
// itself ("star height" above one), which this check refuses; what remains (e.g. `\s*\s*` side by
// side) is at worst polynomial, and lines are cut to a bounded length before matching.

/**
 * The first group of `source` that repeats (`*`, `+`, `{n,}`, `{n,m}` with m >= 2) while holding an
 * unbounded quantifier (`*`, `+`, `{n,}`), as text (`(\w+)+`); `undefined` when there is none.
 */
export function nestedQuantifier(source: string): string | undefined {
  const stack: { start: number; unbounded: boolean }[] = [{ start: 0, unbounded: false }];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '\\') {
      i = quantified(source, i + 2, stack);
      continue;
    }
    if (c === '[') {
      let j = i + 1;
      if (source[j] === '^') j++;
      if (source[j] === ']') j++;
      while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
      i = quantified(source, j + 1, stack);
      continue;
    }
    if (c === '(') {
      stack.push({ start: i, unbounded: false });
      i++;
      continue;
    }
    if (c === ')') {
      const group = stack.length > 1 ? stack.pop()! : { start: 0, unbounded: false };
      const after = quantifierAt(source, i + 1);
      if (group.unbounded && after.repeats) return source.slice(group.start, after.end);
      const parent = stack[stack.length - 1]!;
      parent.unbounded ||= group.unbounded || after.unbounded;
      i = after.end;
      continue;
    }
    i = quantified(source, i + 1, stack);
  }
  return undefined;
}

// After an atom ending before `at`: records an unbounded quantifier on it in the innermost group.
function quantified(source: string, at: number, stack: { unbounded: boolean }[]): number {
  const q = quantifierAt(source, at);
  if (q.unbounded) stack[stack.length - 1]!.unbounded = true;
  return q.end;
}

// The quantifier at `at`, if any (with its lazy `?`).
function quantifierAt(source: string, at: number): { repeats: boolean; unbounded: boolean; end: number } {
  const c = source[at];
  let end = at;
  let repeats = false;
  let unbounded = false;
  if (c === '*' || c === '+') {
    repeats = unbounded = true;
    end = at + 1;
  } else if (c === '?') {
    end = at + 1;
  } else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(at, at + 24));
    if (m !== null) {
      end = at + m[0].length;
      unbounded = m[2] !== undefined && m[3] === '';
      repeats = unbounded || Number(m[3] ?? m[1]) >= 2;
    }
  }
  if (end > at && source[end] === '?') end++;
  return { repeats, unbounded, end };
}
