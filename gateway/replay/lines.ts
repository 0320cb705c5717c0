import { StringDecoder } from 'node:string_decoder';

/**
 * The lines of a replayed file, a chunk's worth at a time. readline matched a regular
 * expression per line and built each line from the stream decoder's pieces: about a tenth
 * of the bytes a replay allocated per read (a sampling heap profile of the 5,000-household
 * week), all for the collector. Here each chunk is decoded once and its lines are slices of
 * that one string. Line endings as readline's with `crlfDelay: Infinity`: `\n`, `\r\n`,
 * and a lone `\r`; a `\r\n` split across two chunks is one ending. A multi-byte character
 * split across chunks is joined by the decoder.
 */
export async function* lineBatches(input: AsyncIterable<Buffer | string>): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of input) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    const lines: string[] = [];
    rest = splitLines(text, lines, rest);
    if (lines.length > 0) yield lines;
  }
  let last = rest + decoder.end();
  if (last.endsWith('\r')) last = last.slice(0, -1);
  if (last.length > 0) yield [last];
}

/**
 * Pushes the complete lines of `head + text` onto `out` (without their endings) and returns
 * what follows the last ending: the start of a line the next chunk completes. A `\r` at the
 * very end stays in that remainder, as it may be the first half of a `\r\n`. `head` (the
 * previous chunk's remainder) is joined to the first line only: `head + text` would be a
 * rope that the first search copies whole, a chunk's size for every chunk.
 */
export function splitLines(text: string, out: string[], head = ''): string {
  if (head.endsWith('\r')) {
    // The previous chunk ended in `\r`: a line ending, with this chunk's `\n` if it starts with one.
    out.push(head.slice(0, -1));
    head = '';
    if (text.charCodeAt(0) === 10) text = text.slice(1);
  }
  let start = 0;
  // Searched once per chunk while the text has no `\r` (the common case), then kept ahead.
  let cr = text.indexOf('\r');
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (cr >= 0 && cr < start) cr = text.indexOf('\r', start);
    if (cr >= 0 && (nl < 0 || cr < nl)) {
      if (cr === text.length - 1) break;
      out.push(head + text.slice(start, cr));
      head = '';
      start = text.charCodeAt(cr + 1) === 10 ? cr + 2 : cr + 1;
      continue;
    }
    if (nl < 0) break;
    out.push(head + text.slice(start, nl));
    head = '';
    start = nl + 1;
  }
  return head + text.slice(start);
}
