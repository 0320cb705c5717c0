/**
 * The simulated estate's face terminals of other protocols than v1 (issue 11): a ZKTeco
 * iclock client per `zkteco-push` reader (it reaches the gateway's terminal listener) and
 * an OEM terminal per `mqtt-face` reader (on the broker). Each keeps the person library the
 * gateway provisions; a person shown at one is recognised only if enrolled there, as on
 * real terminals (a ZKTeco attendance terminal records nobody else; an mqtt-face terminal
 * reports a stranger).
 */
import type { Logger } from 'pino';
import type { SimFaceLibrary } from './face-library.js';
import { MqttFaceTerminal } from './mqtt-face-terminal.js';
import type { SimReader } from './site.js';
import type { SimPerson } from './types.js';
import { ZktecoTerminal } from './zkteco-terminal.js';

/** Options of the vendor terminals of an estate. */
export interface VendorTerminalsOptions {
  readers: readonly SimReader[];
  brokerUrl: string;
  /** The gateway's terminal listener, http://host:port; without it ZKTeco readers get no terminal. */
  terminalUrl?: string;
  passwords?: Readonly<Record<string, string>>;
  log?: Logger;
}

/** The vendor face terminals of one simulated estate. */
export class VendorTerminals {
  readonly #zk = new Map<string, ZktecoTerminal>();
  readonly #mf = new Map<string, MqttFaceTerminal>();

  constructor(o: VendorTerminalsOptions) {
    for (const r of o.readers) {
      const opt = r.options ?? {};
      if (r.driver === 'zkteco-push' && o.terminalUrl && typeof opt.sn === 'string')
        this.#zk.set(
          r.id,
          new ZktecoTerminal({
            baseUrl: o.terminalUrl,
            sn: opt.sn,
            retryMs: 2000,
            admins: ['admin'],
            ...(o.log ? { log: o.log } : {}),
          }),
        );
      if (r.driver === 'mqtt-face')
        this.#mf.set(
          r.id,
          new MqttFaceTerminal({
            url: o.brokerUrl,
            readerId: r.id,
            facesluiceId: typeof opt.facesluiceId === 'string' ? opt.facesluiceId : r.id,
            ...(o.passwords?.[r.id] === undefined ? {} : { password: o.passwords[r.id] }),
            ...(o.log ? { log: o.log } : {}),
          }),
        );
    }
  }

  /** Readers that have a terminal here. */
  has(readerId: string): boolean {
    return this.#zk.has(readerId) || this.#mf.has(readerId);
  }

  /** Each terminal's person library, by reader. */
  libraries(): Map<string, SimFaceLibrary> {
    const out = new Map<string, SimFaceLibrary>();
    for (const [id, t] of this.#zk) out.set(id, t.library);
    for (const [id, t] of this.#mf) out.set(id, t.library);
    return out;
  }

  /** Connects every terminal (ZKTeco: handshake; mqtt-face: Online answered). */
  async start(): Promise<void> {
    await Promise.all([
      ...[...this.#zk.values()].map((t) => t.start(30_000)),
      ...[...this.#mf.values()].map((t) => t.start(30_000)),
    ]);
  }

  async stop(): Promise<void> {
    for (const t of this.#zk.values()) t.stop();
    await Promise.allSettled([...this.#mf.values()].map((t) => t.stop()));
  }

  /**
   * `p` shows their face at a vendor reader: recognised if enrolled there. Returns the
   * record's id, or null when the terminal records nothing (ZKTeco, an unknown face).
   */
  present(readerId: string, p: SimPerson, picture?: Buffer): string | null {
    const face = p.facePersonId;
    const zk = this.#zk.get(readerId);
    if (zk) return face && zk.library.has(face) ? `zk-${zk.present(face)}` : null;
    const mf = this.#mf.get(readerId);
    if (!mf) return null;
    const known = face && mf.library.has(face) ? face : null;
    return `mf-${mf.recognise(known, picture ? { picture } : {})}`;
  }
}
