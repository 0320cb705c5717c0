import { readdirSync, readFileSync } from 'node:fs';

/** One captured terminal body with what decoding it must give. */
export interface CaptureFixture {
  name: string;
  /** The comment at the top: what the capture is. */
  about: string;
  contentType: string | undefined;
  bytes: Buffer;
  /** The decoded lines, each matched (tap `match`) against the line at its place. */
  expect: unknown[];
}

/** A JPEG-looking body of exactly `n` bytes (SOI, filler, EOI). */
export function fakeJpeg(n: number): Buffer {
  return Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
    Buffer.alloc(Math.max(0, n - 6), 0x5a),
    Buffer.from([0xff, 0xd9]),
  ]);
}

/**
 * Reads test/fixtures/<vendor>/*.txt: `#` lines at the top describe the capture
 * (`# content-type: …`, `# expect: [json]`, `# eol: lf` to keep bare LF line ends); the rest
 * is the body, its lines joined with CRLF as terminals write them. `{{jpeg N}}` on a line of
 * its own is a JPEG of N bytes (`{{jpeg N+M}}`: two back to back; `{{jpeg N eof}}`: and the capture ends inside it, no line
 * end); `{{length}}` in a header is the byte length of that part's body.
 */
export function loadCaptures(vendor: string): CaptureFixture[] {
  const dir = new URL(`../../test/fixtures/${vendor}/`, import.meta.url);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((file) => parseCapture(file, readFileSync(new URL(file, dir), 'utf8')));
}

function parseCapture(name: string, text: string): CaptureFixture {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const head: string[] = [];
  while (lines[0]?.startsWith('#')) head.push((lines.shift() as string).replace(/^#\s?/, ''));
  const directive = (k: string) =>
    head
      .find((l) => l.startsWith(`${k}:`))
      ?.slice(k.length + 1)
      .trim();
  const eol = directive('eol') === 'lf' ? '\n' : '\r\n';
  const expect = JSON.parse(directive('expect') ?? '[]') as unknown[];
  const about = head.filter((l) => !/^(content-type|expect|eol):/.test(l)).join(' ');
  const expand = (line: string): { bytes: Buffer; eof: boolean } => {
    const m = /^\{\{jpeg (\d+)(?:\+(\d+))?( eof)?\}\}$/.exec(line);
    if (m) {
      const jpegs = [fakeJpeg(Number(m[1])), ...(m[2] ? [fakeJpeg(Number(m[2]))] : [])];
      return { bytes: Buffer.concat(jpegs), eof: m[3] !== undefined };
    }
    return { bytes: Buffer.from(line, 'utf8'), eof: false };
  };
  const out: Buffer[] = [];
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] as string;
    if (line.includes('{{length}}')) {
      // The part's body: after the blank line that ends this head, up to the next delimiter line.
      let j = i + 1;
      while (j < lines.length && lines[j] !== '') j++;
      const body: Buffer[] = [];
      for (let k = j + 1; k < lines.length && !(lines[k] as string).startsWith('--'); k++)
        body.push(expand(lines[k] as string).bytes);
      const length = body.reduce((n, b) => n + b.length, 0) + Math.max(0, body.length - 1) * eol.length;
      line = line.replace('{{length}}', String(length));
    }
    const x = expand(line);
    out.push(x.bytes);
    if (x.eof) break;
    out.push(Buffer.from(eol));
  }
  return { name, about, contentType: directive('content-type'), bytes: Buffer.concat(out), expect };
}
