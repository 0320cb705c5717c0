/**
 * The MQTT packets of the per-read hot path, encoded and decoded by hand (issue 15): a
 * read arrives as a PUBLISH, is answered with a door command PUBLISH, and acknowledged
 * with a PUBACK; the broker acknowledges the command with a PUBACK. mqtt-packet handled
 * each with a parser state machine, a BufferList, an accumulator stream and its debug
 * calls — a third of the daemon's allocations per read in a heap profile. Here each of
 * those four is one Buffer and a few reads or writes; every other packet (CONNACK,
 * SUBACK, a PUBLISH with MQTT 5 properties, …) still goes through mqtt-packet, which also
 * stays the reference: test/unit/mqtt-hot-codec.test.ts checks the bytes are the same.
 */

/** Fixed-header types (MQTT 3.1.1 §2.2.1, the same in 5.0). */
export const PUBLISH = 3;
export const PUBACK = 4;
/** The remaining length takes at most four bytes (§2.2.3). */
const MAX_LENGTH_BYTES = 4;

/** A PUBLISH as the session hands it on: the fields mqtt-packet's parser gives. */
export interface HotPublish {
  cmd: 'publish';
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
  dup: boolean;
  messageId: number | undefined;
}

function lengthBytes(n: number): number {
  return n < 128 ? 1 : n < 16_384 ? 2 : n < 2_097_152 ? 3 : 4;
}

function writeLength(buf: Buffer, at: number, n: number): number {
  let rest = n;
  let i = at;
  do {
    let digit = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) digit |= 0x80;
    buf[i++] = digit;
  } while (rest > 0);
  return i;
}

/**
 * A PUBLISH packet without MQTT 5 properties (an MQTT 5 one carries an empty property
 * list, as mqtt-packet writes it). `messageId` is required for QoS 1 and 2.
 */
export function encodePublish(
  topic: string,
  payload: Buffer | string,
  qos: 0 | 1 | 2,
  retain: boolean,
  dup: boolean,
  messageId: number | undefined,
  protocolVersion: 4 | 5,
): Buffer {
  const topicBytes = Buffer.byteLength(topic);
  const payloadBytes = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  const remaining = 2 + topicBytes + (qos > 0 ? 2 : 0) + (protocolVersion === 5 ? 1 : 0) + payloadBytes;
  const buf = Buffer.allocUnsafe(1 + lengthBytes(remaining) + remaining);
  buf[0] = (PUBLISH << 4) | (dup ? 0x08 : 0) | (qos << 1) | (retain ? 0x01 : 0);
  let i = writeLength(buf, 1, remaining);
  buf.writeUInt16BE(topicBytes, i);
  i += 2;
  i += buf.write(topic, i, 'utf8');
  if (qos > 0) {
    buf.writeUInt16BE(messageId ?? 0, i);
    i += 2;
  }
  if (protocolVersion === 5) buf[i++] = 0;
  // A string payload (a door command's JSON) is written straight in, not copied via a Buffer.
  if (typeof payload === 'string') buf.write(payload, i, 'utf8');
  else payload.copy(buf, i);
  return buf;
}

/** A PUBACK with reason code 0 (MQTT 5 omits it then, §3.4.2.1): the same four bytes in 3.1.1 and 5. */
export function encodePuback(messageId: number): Buffer {
  const buf = Buffer.allocUnsafe(4);
  buf[0] = PUBACK << 4;
  buf[1] = 2;
  buf.writeUInt16BE(messageId, 2);
  return buf;
}

/**
 * The PUBLISH in a whole packet (`frame`: fixed header included, `bodyAt`: where the
 * variable header starts), or null when it is one the hand decoder leaves to mqtt-packet
 * (MQTT 5 properties, anything malformed — mqtt-packet then says what is wrong).
 */
export function decodePublish(frame: Buffer, bodyAt: number, protocolVersion: 4 | 5): HotPublish | null {
  const flags = (frame[0] as number) & 0x0f;
  const bits = (flags >> 1) & 0x03;
  if (bits === 3) return null; // QoS 3 is malformed
  const qos = bits as 0 | 1 | 2;
  let i = bodyAt;
  if (i + 2 > frame.length) return null;
  const topicLen = frame.readUInt16BE(i);
  i += 2;
  if (i + topicLen > frame.length) return null;
  const topic = frame.toString('utf8', i, i + topicLen);
  i += topicLen;
  let messageId: number | undefined;
  if (qos > 0) {
    if (i + 2 > frame.length) return null;
    messageId = frame.readUInt16BE(i);
    i += 2;
  }
  if (protocolVersion === 5) {
    // Only an empty property list here; topic aliases, subscription ids… go the long way.
    if (frame[i] !== 0) return null;
    i += 1;
  }
  return {
    cmd: 'publish',
    topic,
    payload: frame.subarray(i),
    qos,
    retain: (flags & 0x01) !== 0,
    dup: (flags & 0x08) !== 0,
    messageId,
  };
}

/** The packet id of a plain PUBACK (remaining length 2, reason code 0 omitted), else null. */
export function decodePuback(frame: Buffer, bodyAt: number): number | null {
  return frame.length === bodyAt + 2 ? frame.readUInt16BE(bodyAt) : null;
}

/**
 * Cuts a byte stream into whole MQTT packets. `push` each chunk as it arrives; `onFrame`
 * gets each packet whole (a view of the chunk when it lies in one, else a copy) with the
 * offset of its variable header. A remaining length longer than four bytes is malformed:
 * `onError` is called and nothing more is framed. `more`, asked before each packet, lets
 * the caller stop early (a replaying session's window is full): `push` then returns the
 * bytes not framed, for the caller to push again later.
 */
export class MqttFramer {
  readonly #onFrame: (frame: Buffer, bodyAt: number) => void;
  readonly #onError: (err: Error) => void;
  /** Bytes of an incomplete packet carried over from earlier chunks. */
  #held: Buffer | null = null;
  #failed = false;

  constructor(onFrame: (frame: Buffer, bodyAt: number) => void, onError: (err: Error) => void) {
    this.#onFrame = onFrame;
    this.#onError = onError;
  }

  /** Frames what it can of `chunk`; the bytes `more` stopped it before, else null. */
  push(chunk: Buffer, more?: () => boolean): Buffer | null {
    if (this.#failed) return null;
    const buf = this.#held === null ? chunk : Buffer.concat([this.#held, chunk]);
    this.#held = null;
    let at = 0;
    while (at < buf.length) {
      if (more !== undefined && !more()) return buf.subarray(at);
      // Fixed header: a control byte, then the remaining length (1–4 bytes, 7 bits each).
      let length = 0;
      let multiplier = 1;
      let i = at + 1;
      let complete = false;
      for (let n = 0; n < MAX_LENGTH_BYTES && i < buf.length; n++) {
        const b = buf[i++] as number;
        length += (b & 0x7f) * multiplier;
        multiplier *= 128;
        if ((b & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete) {
        if (i - at - 1 >= MAX_LENGTH_BYTES) {
          this.#failed = true;
          this.#onError(new Error('Invalid variable byte integer'));
          return null;
        }
        break; // the header continues in the next chunk
      }
      if (i + length > buf.length) break; // the body continues in the next chunk
      this.#onFrame(buf.subarray(at, i + length), i - at);
      if (this.#failed) return null;
      at = i + length;
    }
    // Copied so that a large socket chunk is not kept alive by a few trailing bytes.
    if (at < buf.length) this.#held = Buffer.from(buf.subarray(at));
    return null;
  }

  /** Stops framing (the connection is going away). */
  fail(): void {
    this.#failed = true;
  }
}
