/**
 * Where values sit in a JSON text, by path (issue 10): the line of each path asked for,
 * found in one pass over the text with memory bounded by its nesting depth. The roster
 * import's error path used to build a whole YAML document of the file for this (a
 * 14,287-resident roster with one bad row needed 412 MB and died under the daemon's
 * 256 MB heap); an error must not cost more than the import.
 *
 * Paths read like `households[12].residents[0].idNumber`. The text is assumed to be valid
 * JSON (the caller parsed it already); anything else yields no line rather than an error.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;

/** One open object or array: its own path, and the key or index being read. */
interface Frame {
  path: string;
  array: boolean;
  index: number;
}

/** The 1-based line of every path in `wanted` that the text holds; absent paths are left out. */
export function locateJsonPaths(text: string, wanted: ReadonlySet<string>): Map<string, number> {
  const found = new Map<string, number>();
  if (wanted.size === 0) return found;
  const stack: Frame[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  /** The path of the value about to start: the root, an array element or an object member. */
  let next = '';
  const hit = (path: string) => {
    if (wanted.has(path) && !found.has(path)) found.set(path, line);
  };
  while (i < n && found.size < wanted.size) {
    const c = text.charCodeAt(i);
    if (c === NEWLINE) {
      line++;
      i++;
      continue;
    }
    if (c === 0x20 || c === 0x09 || c === 0x0d) {
      i++;
      continue;
    }
    const top = stack[stack.length - 1];
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      hit(next);
      stack.push({ path: next, array: c === 0x5b, index: 0 });
      if (c === 0x5b) next = `${next}[0]`;
      i++;
      continue;
    }
    if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      i++;
      continue;
    }
    if (c === 0x2c /* , */) {
      if (top?.array) {
        top.index++;
        next = `${top.path}[${top.index}]`;
      }
      i++;
      continue;
    }
    if (c === 0x3a /* : */) {
      i++;
      continue;
    }
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      // A string in an object where a key is due is the member's name.
      if (top && !top.array && isKey(text, end)) {
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        next = top.path ? `${top.path}.${key}` : key;
      } else hit(next);
      for (let k = i; k < end; k++) if (text.charCodeAt(k) === NEWLINE) line++;
      i = end + 1;
      continue;
    }
    // A number, true, false or null.
    hit(next);
    while (i < n && !/[\s,\]}]/.test(text[i] as string)) i++;
  }
  return found;
}

/** Index of the closing quote of the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const q = text.indexOf('"', i);
    if (q < 0) return text.length - 1;
    let b = 0;
    for (let k = q - 1; k > start && text.charCodeAt(k) === BACKSLASH; k--) b++;
    if (b % 2 === 0) return q;
    i = q + 1;
  }
}

/** Whether the string ending at `end` is followed by a colon (it is a member name). */
function isKey(text: string, end: number): boolean {
  for (let i = end + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3a) return true;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== NEWLINE) return false;
  }
  return false;
}
