/**
 * Reads the MQTT fixed headers of a byte stream as it arrives, without buffering a
 * packet (MQTT 3.1.1 §2.2: a control byte, then the remaining length as a variable
 * byte integer of at most 4 bytes). aedes has no maximum packet size: its parser buffers
 * whatever length a client announces. The embedded broker's guard runs this scanner on
 * every chunk before aedes sees it, so a packet announced too large is refused from its
 * first bytes (issue 9 item 5).
 */

/** MQTT control packet type 1 (§2.2.1). */
export const CONNECT = 1;
/** The remaining length takes at most four bytes (§2.2.3). */
const MAX_LENGTH_BYTES = 4;

/** Why a stream is refused. */
export type ScanProblem = 'not_connect_first' | 'too_large_before_connect' | 'too_large' | 'malformed_header';

/** The limits a scanner enforces. */
export interface ScanLimits {
  /** Largest packet (remaining length) once the CONNECT has passed. */
  maxPacketBytes: number;
  /** Largest CONNECT packet. */
  maxConnectBytes: number;
}

/**
 * Fixed-header scanner of one connection. `feed` each chunk in order; it returns a
 * problem as soon as the bytes seen so far break a limit, else null. `connectSeen`
 * turns true once the whole first packet (a CONNECT) has arrived.
 */
export class PacketScanner {
  readonly #limits: ScanLimits;
  /** Bytes of the current packet's body still to skip. */
  #skip = 0;
  /** Reading a header: 0 = expecting the control byte, else bytes of length read + 1. */
  #headerPos = 0;
  #type = 0;
  #length = 0;
  #multiplier = 1;
  #packets = 0;
  #connectSeen = false;

  constructor(limits: ScanLimits) {
    this.#limits = limits;
  }

  /** True once the first packet, a CONNECT, has fully arrived. */
  get connectSeen(): boolean {
    return this.#connectSeen;
  }

  /** Scans a chunk; a problem ends the connection (the scanner is then no longer usable). */
  feed(chunk: Uint8Array): ScanProblem | null {
    let i = 0;
    while (i < chunk.length) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, chunk.length - i);
        this.#skip -= n;
        i += n;
        if (this.#skip === 0) this.#packetDone();
        continue;
      }
      const b = chunk[i++] as number;
      if (this.#headerPos === 0) {
        this.#type = b >> 4;
        if (this.#packets === 0 && this.#type !== CONNECT) return 'not_connect_first';
        this.#headerPos = 1;
        this.#length = 0;
        this.#multiplier = 1;
        continue;
      }
      this.#length += (b & 0x7f) * this.#multiplier;
      this.#multiplier *= 128;
      if (b & 0x80) {
        if (++this.#headerPos > MAX_LENGTH_BYTES) return 'malformed_header';
        continue;
      }
      this.#headerPos = 0;
      const problem = this.#check();
      if (problem) return problem;
      this.#skip = this.#length;
      if (this.#skip === 0) this.#packetDone();
    }
    return null;
  }

  #check(): ScanProblem | null {
    if (this.#packets === 0)
      return this.#length > this.#limits.maxConnectBytes ? 'too_large_before_connect' : null;
    return this.#length > this.#limits.maxPacketBytes ? 'too_large' : null;
  }

  #packetDone(): void {
    if (this.#packets === 0) this.#connectSeen = true;
    this.#packets++;
  }
}
