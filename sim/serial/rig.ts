import { createHash } from 'node:crypto';
import type { SimReader, SimSite } from '../site.js';
import type { SimPerson } from '../types.js';
import type { SerialDevice } from './device.js';
import { SimFingerprintModule } from './fingerprint-module.js';
import { SimIdCardReader } from './idcard-reader.js';
import { SimRelayBoard } from './modbus-relay-board.js';
import { MultiDrop } from './multi-drop.js';
import { TcpSerialServer } from './tcp-server.js';
import { SimWiegandConverter } from './wiegand-converter.js';

/** The simulated devices of one door. */
export interface SerialDoor {
  doorId: string;
  fingerprint: Array<{ readerId: string; module: SimFingerprintModule }>;
  idcard: Array<{ readerId: string; reader: SimIdCardReader }>;
  wiegand: Array<{ readerId: string; converter: SimWiegandConverter; server: TcpSerialServer }>;
  relays: Array<{ readerId: string; board: SimRelayBoard; coil: number; inputs: WiredInputs }>;
}

/** What a relay board's inputs are wired to at a door (issue 13): their numbers on the board. */
export interface WiredInputs {
  contact?: number;
  exit?: number;
  fire?: number;
}

/** A serial path the simulation can serve itself: tcp:// on the loopback interface. */
const LOCAL_TCP = /^tcp:\/\/(127\.0\.0\.1|localhost):(\d+)\/?$/;

/** A finger's template: 512 bytes fixed per person, so the module finds the same page each time. */
export function templateOf(personId: string): Buffer {
  const seed = createHash('sha256').update(`finger:${personId}`).digest();
  return Buffer.alloc(512, seed);
}

/**
 * The simulated serial devices a config's readers expect behind `tcp://127.0.0.1:port`
 * paths (ser2net style), each served on its port: fingerprint modules holding the
 * templates of the residents who have pages, ID-card readers, Wiegand converters in the
 * reader's line format, relay boards (boards on one path share the line). Readers on
 * real device paths are left alone: they are hardware.
 */
export class SerialRig {
  readonly doors = new Map<string, SerialDoor>();
  readonly servers: TcpSerialServer[] = [];
  readonly #buses: MultiDrop<SimRelayBoard>[] = [];
  /** The servers whose lines a door's devices are on (a shared relay bus counts for each door). */
  readonly #doorServers = new Map<string, Set<TcpSerialServer>>();

  constructor(config: Pick<SimSite, 'readers'>, persons: readonly SimPerson[]) {
    const buses = new Map<string, MultiDrop<SimRelayBoard>>();
    const busServers = new Map<string, TcpSerialServer>();
    for (const r of config.readers) {
      const path = typeof r.options?.path === 'string' ? r.options.path : '';
      const m = LOCAL_TCP.exec(path);
      if (!m) continue;
      const port = Number(m[2]);
      const door = this.#door(r.door);
      const serve = (device: SerialDevice) => {
        const server = new TcpSerialServer(device, { host: '127.0.0.1', port });
        this.servers.push(server);
        this.#linesOf(r.door).add(server);
        return server;
      };
      if (r.driver === 'fingerprint') {
        const module = new SimFingerprintModule({ capacity: 1000 });
        for (const p of persons)
          if (p.fingerprintId) module.library.set(Number(p.fingerprintId), templateOf(p.id));
        door.fingerprint.push({ readerId: r.id, module });
        serve(module);
      } else if (r.driver === 'idcard') {
        const reader = new SimIdCardReader();
        door.idcard.push({ readerId: r.id, reader });
        serve(reader);
      } else if (r.driver === 'wiegand') {
        const converter = new SimWiegandConverter(wiegandOf(r));
        door.wiegand.push({ readerId: r.id, converter, server: serve(converter) });
      } else if (r.driver === 'modbus-relay') {
        const unit = typeof r.options?.unit === 'number' ? r.options.unit : 1;
        const coil = typeof r.options?.coil === 'number' ? r.options.coil : 0;
        let bus = buses.get(path);
        if (!bus) {
          bus = new MultiDrop<SimRelayBoard>();
          buses.set(path, bus);
          this.#buses.push(bus);
          busServers.set(path, serve(bus));
        } else {
          const shared = busServers.get(path);
          if (shared) this.#linesOf(r.door).add(shared);
        }
        let board = bus.boards.find((b) => b.unit === unit);
        if (!board) {
          board = new SimRelayBoard({ unit, coils: Math.max(8, coil + 1) });
          bus.boards.push(board);
        }
        door.relays.push({ readerId: r.id, board, coil, inputs: wiredInputs(r) });
      }
    }
  }

  /** Listens on every port. */
  async start(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.start()));
  }

  /** Stops listening and drops every connection. */
  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.stop()));
  }

  /** Bad host frames all devices saw (a correct gateway sends none). */
  get badHostFrames(): number {
    let n = 0;
    for (const d of this.doors.values()) {
      for (const f of d.fingerprint) n += f.module.badHostFrames;
      for (const i of d.idcard) n += i.reader.badHostFrames;
      for (const w of d.wiegand) n += w.converter.badHostFrames;
    }
    for (const bus of this.#buses) n += bus.badHostFrames;
    return n;
  }

  /**
   * Resolves when the gateway has every line of a door open (each of its devices' ports
   * has a client), or after `timeoutMs` whatever the lines do: a door with a dead line
   * still gets its people, they just go unread there.
   */
  async whenDoorConnected(doorId: string, timeoutMs: number): Promise<void> {
    const lines = [...(this.#doorServers.get(doorId) ?? [])];
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    await Promise.race([Promise.all(lines.map((s) => s.whenConnected())), late]);
    clearTimeout(timer);
  }

  /** Times the lock of a door was switched on so far. */
  pulses(doorId: string): number {
    const d = this.doors.get(doorId);
    if (!d) return 0;
    return d.relays.reduce((n, r) => n + r.board.history.filter((h) => h.coil === r.coil && h.on).length, 0);
  }

  #linesOf(doorId: string): Set<TcpSerialServer> {
    let lines = this.#doorServers.get(doorId);
    if (!lines) {
      lines = new Set();
      this.#doorServers.set(doorId, lines);
    }
    return lines;
  }

  #door(id: string): SerialDoor {
    let d = this.doors.get(id);
    if (!d) {
      d = { doorId: id, fingerprint: [], idcard: [], wiegand: [], relays: [] };
      this.doors.set(id, d);
    }
    return d;
  }
}

function wiredInputs(r: SimReader): WiredInputs {
  const o = r.options ?? {};
  const n = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const out: WiredInputs = {};
  for (const [k, v] of [
    ['contact', n(o.contactInput)],
    ['exit', n(o.exitInput)],
    ['fire', n(o.fireInput)],
  ] as const)
    if (v !== undefined) out[k] = v;
  return out;
}

function wiegandOf(r: SimReader): ConstructorParameters<typeof SimWiegandConverter>[0] {
  const o = r.options ?? {};
  const format = o.format === 'decimal-crlf' || o.format === 'stx-etx' ? o.format : 'hex-cr';
  const payload = o.payload === 'uid' ? 'uid' : o.payload === 'wiegand34' ? 34 : 26;
  return { format, payload };
}
