/**
 * MIME multipart as face terminals write it (RFC 2046 §5.1, loosely): Hikvision's pushed
 * `multipart/form-data` (an `event_log` part and a picture) and its endless `alertStream`
 * (`multipart/mixed`, every part with its own Content-Length), Dahua's `multipart/x-mixed-replace`
 * attach stream and its `/notification` push.
 *
 * One push parser serves the whole body and the endless stream. It is tolerant where firmware
 * differs (LF for CRLF, a part without Content-Type or without headers, a Content-Length that
 * is too short, padding after a delimiter) and strict where memory is at stake: a part larger
 * than `maxPartBytes` is counted and skipped, never buffered; a head larger than
 * `maxHeaderBytes` is dropped and the parser looks for the next delimiter. It never throws on
 * input bytes: what it cannot use it reports as an event.
 */

/** One part, whole. */
export interface Part {
  /** Header names lower-case. */
  headers: Readonly<Record<string, string>>;
  /** Content-Type without parameters, lower-case; '' when the part has none (one firmware omits it). */
  type: string;
  /** The `name` of its Content-Disposition, or null. */
  name: string | null;
  body: Buffer;
}

/** What the parser found in the bytes given so far, in order. */
export type PartEvent =
  | { kind: 'part'; part: Part }
  /** A part larger than the cap: skipped unread. `bytes` is its size as far as it was seen. */
  | { kind: 'oversize'; type: string; name: string | null; bytes: number }
  /** Bytes between parts that were no delimiter (whitespace is not counted). */
  | { kind: 'garbage'; bytes: number }
  /** A part head too long or not headers at all: dropped. */
  | { kind: 'bad_head'; detail: string }
  /** A part cut short: by the next delimiter before its Content-Length, or by the end of the input. */
  | { kind: 'truncated'; part: Part; expected: number | null }
  /** The closing delimiter `--boundary--`. */
  | { kind: 'end' };

/** Limits of a parser. */
export interface MultipartLimits {
  /** Larger parts are skipped (a picture of 5 MB from odd firmware). */
  maxPartBytes: number;
  /** Larger part heads are dropped. Default 8 KiB. */
  maxHeaderBytes?: number;
}

type State =
  | { s: 'seek' }
  | { s: 'head' }
  | { s: 'body'; head: Head; length: number | null }
  | { s: 'skip'; head: Head; length: number | null; seen: number };

interface Head {
  headers: Record<string, string>;
  type: string;
  name: string | null;
}

const CRLF = Buffer.from('\r\n');
const LF = 0x0a;
const CR = 0x0d;

/** The boundary of a multipart Content-Type, or null when it names none. */
export function boundaryOf(contentType: string | undefined): string | null {
  const m = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  const b = m?.[1] ?? m?.[2];
  return b && b.length <= 200 ? b : null;
}

/** Parses a Content-Type or Content-Disposition value's parameter `key`. */
export function headerParam(value: string | undefined, key: string): string | null {
  const re = new RegExp(`;\\s*${key}\\s*=\\s*(?:"([^"]*)"|([^;\\s]*))`, 'i');
  const m = re.exec(value ?? '');
  return m ? (m[1] ?? m[2] ?? null) : null;
}

/** A push parser of one multipart body or stream (see the module comment). */
export class MultipartParser {
  readonly #delim: Buffer;
  readonly #maxPart: number;
  readonly #maxHead: number;
  #buf: Buffer = Buffer.alloc(0);
  #state: State = { s: 'seek' };
  /** Where the next delimiter search in a delimited body starts (bytes before were searched). */
  #scanFrom = 0;
  /** Garbage seen since the last part: reported once, when the run of it ends. */
  #garbage = 0;

  constructor(boundary: string, limits: MultipartLimits) {
    this.#delim = Buffer.from(`--${boundary}`);
    this.#maxPart = limits.maxPartBytes;
    this.#maxHead = limits.maxHeaderBytes ?? 8192;
  }

  /** Bytes held waiting for the rest of a part (bounded by the limits: tests check it). */
  get buffered(): number {
    return this.#buf.length;
  }

  /** Takes more bytes; returns what they completed. */
  push(chunk: Buffer): PartEvent[] {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const out: PartEvent[] = [];
    while (this.#step(out));
    return out;
  }

  /** The input ended: a part in progress is reported truncated. */
  end(): PartEvent[] {
    const out: PartEvent[] = [];
    const st = this.#state;
    if (st.s === 'body' && (this.#buf.length > 0 || st.length !== 0)) {
      const body = st.length === null ? trimEol(this.#buf) : this.#buf;
      out.push({ kind: 'truncated', part: { ...st.head, body }, expected: st.length });
    } else if (st.s === 'skip') {
      out.push({
        kind: 'oversize',
        type: st.head.type,
        name: st.head.name,
        bytes: st.seen + this.#buf.length,
      });
    } else if (st.s === 'head' && this.#buf.length > 0) {
      out.push({ kind: 'bad_head', detail: 'the input ends inside a part head' });
    } else if (st.s === 'seek' && !isBareDelimiter(this.#buf, this.#delim)) {
      // A last delimiter with nothing after it is no garbage: the stream ended between parts.
      this.#garbage += countGarbage(this.#buf);
    }
    this.#flushGarbage(out);
    this.#buf = Buffer.alloc(0);
    this.#state = { s: 'seek' };
    return out;
  }

  /** One move of the state machine; false when it needs more bytes. */
  #step(out: PartEvent[]): boolean {
    const st = this.#state;
    switch (st.s) {
      case 'seek':
        return this.#seek(out);
      case 'head':
        return this.#head(out);
      case 'body':
        return st.length === null ? this.#delimited(st, out) : this.#counted(st, st.length, out);
      case 'skip':
        return this.#skip(st, out);
    }
  }

  #seek(out: PartEvent[]): boolean {
    const d = this.#delim;
    const at = this.#buf.indexOf(d);
    if (at < 0) {
      // Keep what could be the start of a delimiter split across chunks.
      const keep = Math.min(this.#buf.length, d.length - 1);
      this.#garbage += countGarbage(this.#buf.subarray(0, this.#buf.length - keep));
      this.#buf = this.#buf.subarray(this.#buf.length - keep);
      return false;
    }
    const after = at + d.length;
    if (this.#buf.length < after + 2) return false;
    this.#garbage += countGarbage(this.#buf.subarray(0, at));
    this.#buf = this.#buf.subarray(at);
    return this.#delimiterLine(out);
  }

  /** The buffer starts with a delimiter: the closing one, a part's, or only text that starts like one. */
  #delimiterLine(out: PartEvent[]): boolean {
    const d = this.#delim;
    const after = d.length;
    if (this.#buf[after] === 0x2d && this.#buf[after + 1] === 0x2d) {
      this.#flushGarbage(out);
      out.push({ kind: 'end' });
      this.#buf = this.#buf.subarray(after + 2);
      return true;
    }
    // Transport padding (spaces, tabs) may follow a delimiter before its line ends.
    let i = after;
    while (i < this.#buf.length && (this.#buf[i] === 0x20 || this.#buf[i] === 0x09)) i++;
    if (i >= this.#buf.length || (this.#buf[i] === CR && i + 1 >= this.#buf.length)) return false;
    const eol = this.#buf[i] === LF ? 1 : this.#buf[i] === CR && this.#buf[i + 1] === LF ? 2 : 0;
    if (eol === 0) {
      // `--boundaryX`: not a delimiter, only text that starts like one.
      this.#garbage += d.length;
      this.#buf = this.#buf.subarray(after);
      return true;
    }
    this.#flushGarbage(out);
    this.#buf = this.#buf.subarray(i + eol);
    this.#state = { s: 'head' };
    return true;
  }

  #head(out: PartEvent[]): boolean {
    const b = this.#buf;
    let end = -1;
    let skip = 0;
    if (b[0] === LF) [end, skip] = [0, 1];
    else if (b[0] === CR && b[1] === LF) [end, skip] = [0, 2];
    else if (b.length < 2) return false;
    else {
      const crlf = b.indexOf('\r\n\r\n');
      const lf = b.indexOf('\n\n');
      if (crlf >= 0 && (lf < 0 || crlf < lf)) [end, skip] = [crlf, 4];
      else if (lf >= 0) [end, skip] = [lf, 2];
    }
    if (end < 0) {
      if (b.length <= this.#maxHead) return false;
      out.push({ kind: 'bad_head', detail: `part head longer than ${this.#maxHead} bytes` });
      this.#state = { s: 'seek' };
      return true;
    }
    if (end > this.#maxHead) {
      out.push({ kind: 'bad_head', detail: `part head longer than ${this.#maxHead} bytes` });
      this.#buf = b.subarray(end + skip);
      this.#state = { s: 'seek' };
      return true;
    }
    const head = parseHead(b.subarray(0, end).toString('latin1'));
    this.#buf = b.subarray(end + skip);
    if (!head) {
      out.push({ kind: 'bad_head', detail: 'part head is not header lines' });
      this.#state = { s: 'seek' };
      return true;
    }
    const cl = head.headers['content-length'];
    const length = cl !== undefined && /^\s*\d{1,12}\s*$/.test(cl) ? Number(cl) : null;
    this.#scanFrom = 0;
    this.#state =
      length !== null && length > this.#maxPart
        ? { s: 'skip', head, length, seen: 0 }
        : { s: 'body', head, length };
    return true;
  }

  /** A body with a Content-Length: taken by count, unless a delimiter comes first (a length too long). */
  #counted(st: { head: Head }, length: number, out: PartEvent[]): boolean {
    const early = this.#findDelimiter(Math.min(this.#buf.length, length + 2));
    if (early >= 0 && early < length) {
      out.push({
        kind: 'truncated',
        part: { ...st.head, body: this.#buf.subarray(0, early) },
        expected: length,
      });
      this.#buf = this.#buf.subarray(early);
      this.#state = { s: 'seek' };
      return true;
    }
    if (this.#buf.length < length) return false;
    out.push({ kind: 'part', part: { ...st.head, body: Buffer.from(this.#buf.subarray(0, length)) } });
    this.#buf = this.#buf.subarray(length);
    this.#state = { s: 'seek' };
    return true;
  }

  /** A body without a length: it runs to the next delimiter. */
  #delimited(st: { head: Head }, out: PartEvent[]): boolean {
    const at = this.#findDelimiter(this.#buf.length);
    if (at < 0) {
      if (this.#buf.length > this.#maxPart + this.#delim.length + 2) {
        // Too large to keep: skip to the delimiter, keeping only what could start one.
        const keep = this.#delim.length + 2;
        const seen = this.#buf.length - keep;
        this.#buf = this.#buf.subarray(seen);
        this.#scanFrom = 0;
        this.#state = { s: 'skip', head: st.head, length: null, seen };
      }
      return false;
    }
    out.push({ kind: 'part', part: { ...st.head, body: Buffer.from(this.#buf.subarray(0, at)) } });
    this.#buf = this.#buf.subarray(at);
    this.#state = { s: 'seek' };
    return true;
  }

  #skip(st: { head: Head; length: number | null; seen: number }, out: PartEvent[]): boolean {
    const keep = Math.min(this.#buf.length, this.#delim.length + 2);
    if (st.length !== null) {
      const remaining = st.length - st.seen;
      // A delimiter inside the announced length: the length lied, the part ends there.
      const at = this.#findDelimiter(Math.min(this.#buf.length, remaining + 2));
      if (at >= 0 && at < remaining) {
        st.seen += at;
        this.#buf = this.#buf.subarray(at);
      } else if (this.#buf.length >= remaining) {
        st.seen = st.length;
        this.#buf = this.#buf.subarray(remaining);
      } else {
        st.seen += this.#buf.length - keep;
        this.#buf = this.#buf.subarray(this.#buf.length - keep);
        this.#scanFrom = 0;
        return false;
      }
    } else {
      const at = this.#findDelimiter(this.#buf.length);
      if (at < 0) {
        st.seen += this.#buf.length - keep;
        this.#buf = this.#buf.subarray(this.#buf.length - keep);
        this.#scanFrom = 0;
        return false;
      }
      st.seen += at;
      this.#buf = this.#buf.subarray(at);
    }
    this.#scanFrom = 0;
    out.push({ kind: 'oversize', type: st.head.type, name: st.head.name, bytes: st.seen });
    this.#state = { s: 'seek' };
    return true;
  }

  #flushGarbage(out: PartEvent[]): void {
    if (this.#garbage > 0) out.push({ kind: 'garbage', bytes: this.#garbage });
    this.#garbage = 0;
  }

  /**
   * Where the line break before the next delimiter starts within the first `limit` bytes of
   * the buffer (so the body excludes it), or -1. The delimiter must end its line.
   */
  #findDelimiter(limit: number): number {
    const d = this.#delim;
    let from = this.#scanFrom;
    for (;;) {
      const at = this.#buf.indexOf(d, from);
      if (at < 0 || at >= limit) {
        this.#scanFrom = Math.max(0, Math.min(limit, this.#buf.length) - d.length - 2);
        return -1;
      }
      const atLineStart = at === 0 || this.#buf[at - 1] === LF;
      const next = this.#buf[at + d.length];
      const ends = next === CR || next === LF || next === 0x2d || next === 0x20 || next === undefined;
      if (atLineStart && ends) {
        if (at >= 2 && this.#buf[at - 2] === CR) return at - 2;
        return at >= 1 && this.#buf[at - 1] === LF ? at - 1 : at;
      }
      from = at + 1;
    }
  }
}

/** Parses a whole multipart body: its events, as a stream parser would give them. */
export function parseMultipart(body: Buffer, boundary: string, limits: MultipartLimits): PartEvent[] {
  const p = new MultipartParser(boundary, limits);
  return [...p.push(body), ...p.end()];
}

/** A part to encode (simulators, fixtures). */
export interface PartToEncode {
  headers: Record<string, string>;
  body: Buffer | string;
}

/** Encodes one part with its delimiter line; `length` adds a Content-Length header (as streams do). */
export function encodePart(p: PartToEncode, boundary: string, length = false): Buffer {
  const body = typeof p.body === 'string' ? Buffer.from(p.body) : p.body;
  const headers = { ...p.headers, ...(length ? { 'Content-Length': String(body.length) } : {}) };
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return Buffer.concat([Buffer.from(`--${boundary}\r\n${head}\r\n`), body, CRLF]);
}

/** Encodes a whole body: every part, then the closing delimiter. */
export function encodeMultipart(parts: readonly PartToEncode[], boundary: string, length = false): Buffer {
  return Buffer.concat([
    ...parts.map((p) => encodePart(p, boundary, length)),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
}

function parseHead(text: string): Head | null {
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (line.length === 0) continue;
    const colon = line.indexOf(':');
    if (colon <= 0 || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(line.slice(0, colon))) return null;
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const ct = headers['content-type'];
  return {
    headers,
    type: (ct ?? '').split(';')[0]?.trim().toLowerCase() ?? '',
    name: headerParam(headers['content-disposition'], 'name'),
  };
}

/** Bytes that are not line breaks or spaces: whitespace between parts is normal. */
function countGarbage(b: Buffer): number {
  let n = 0;
  for (const c of b) if (c !== CR && c !== LF && c !== 0x20 && c !== 0x09) n++;
  return n;
}

/** The bytes are one delimiter line (and perhaps its `--`), nothing else. */
function isBareDelimiter(b: Buffer, delim: Buffer): boolean {
  const text = b.toString('latin1').trim();
  const d = delim.toString('latin1');
  return text === d || text === `${d}--`;
}

function trimEol(b: Buffer): Buffer {
  let end = b.length;
  while (end > 0 && (b[end - 1] === LF || b[end - 1] === CR)) end--;
  return b.subarray(0, end);
}
