/**
 * A simulated Dahua face access controller (ASI series) speaking CGI as protocols.md §3
 * describes it: Digest (`realm="Login to …"`), the eventManager attach stream
 * (`Code=…;data={json}` parts and `Heartbeat`), the snapManager stream (key=value event
 * lines and one image part cut by ImageInfo Offset/Length), `/notification` pushes
 * (`info` JSON with string ids, a JPEG part per picture) retried until answered, the
 * recordFinder access log, `openDoor`, and a face library the gateway provisions
 * (library-routes.ts).
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { attachLine, flatten, type RawDahuaEvent } from '../../drivers/dahua/codec.js';
import { CGI, DAHUA_BOUNDARY } from '../../drivers/dahua/constants.js';
import { encodeMultipart, encodePart } from '../../drivers/http/multipart.js';
import { SimFaceLibrary } from '../vendor/face-library.js';
import { SimHttpDevice, type SimReply } from '../vendor/http-device.js';
import { PushQueue } from '../vendor/push-queue.js';
import { Waiters } from '../waiters.js';
import { type DahuaLibraryQuirks, registerDahuaLibrary } from './library-routes.js';

/** One event of the terminal. */
export interface SimDahuaEvent {
  code: string;
  action: string;
  /** On the terminal's clock, epoch ms. */
  time: number;
  data: Record<string, unknown>;
  /** The face snapshot (and a scene shot after it, as the firmware sends both). */
  pictures: Buffer[];
}

/** Options of a simulated Dahua terminal. */
export interface SimDahuaOptions extends DahuaLibraryQuirks {
  password: string;
  username?: string;
  port?: number;
  clockSkewMs?: number;
  zoneMinutes?: number;
  lockAfter?: number;
  lockSeconds?: number;
  faceCapacity?: number;
  firstRecNo?: number;
  /** Leaves RecNo out of streamed and pushed events (firmware that only has it in recordFinder). */
  noRecNoInEvents?: boolean;
  pushRetryMs?: number;
  pushLogin?: { username: string; password: string };
}

/** Events of the simulated terminal. */
export interface SimDahuaEvents {
  openDoor: [channel: number];
  pushed: [recNo: number | null];
}

const FACE = 15;
const CARD = 2;

/** One simulated terminal. Constructing it does no I/O; start() listens. */
export class SimDahuaTerminal extends EventEmitter<SimDahuaEvents> {
  readonly library: SimFaceLibrary;
  readonly device: SimHttpDevice;
  /** The access log recordFinder searches (AccessControl events with their RecNo). */
  readonly records: SimDahuaEvent[] = [];
  readonly #o: SimDahuaOptions;
  #recNo: number;
  readonly #attach = new Set<Socket>();
  readonly #snap = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #push: PushQueue<SimDahuaEvent>;
  readonly #opens = new Waiters<number>();
  opens = 0;

  constructor(o: SimDahuaOptions) {
    super();
    this.#o = o;
    this.#recNo = (o.firstRecNo ?? 1) - 1;
    this.library = new SimFaceLibrary(o.faceCapacity);
    this.device = new SimHttpDevice({
      realm: 'Login to 7c3f2a0e1d',
      username: o.username ?? 'admin',
      password: o.password,
      lockAfter: o.lockAfter,
      lockSeconds: o.lockSeconds,
      port: o.port,
      body401: () => ({ type: 'text/plain', body: 'Error\r\nInvalid Authority!' }),
    });
    registerDahuaLibrary(this.device, this.library, o);
    this.#push = new PushQueue({
      encode: (ev) => this.#pushBody(ev),
      retryMs: o.pushRetryMs,
      login: o.pushLogin,
      pushed: (ev) => this.emit('pushed', typeof ev.data.RecNo === 'number' ? ev.data.RecNo : null),
    });
    this.#routes();
  }

  get port(): number {
    return this.device.port;
  }

  get now(): number {
    return Date.now() + (this.#o.clockSkewMs ?? 0);
  }

  /** Pushes the gateway did not answer 200 (down, refusing), each retried later. */
  get pushFailures(): number {
    return this.#push.failures;
  }

  /** Clients attached to the event streams. */
  get streaming(): number {
    return this.#attach.size + this.#snap.size;
  }

  async start(): Promise<void> {
    await this.device.start();
  }

  async stop(): Promise<void> {
    this.#push.stop();
    for (const t of this.#timers) clearInterval(t);
    for (const s of [...this.#attach, ...this.#snap]) s.destroy();
    await this.device.stop();
  }

  pushTo(url: string | null): void {
    this.#push.target(url);
  }

  /** A face at the terminal: Status 1 with the UserID when the face is enrolled, else 0 and no UserID. */
  presentFace(userId: string | null, pictures: Buffer[] = []): SimDahuaEvent {
    const known = userId !== null && Boolean(this.library.persons.get(userId)?.face);
    return this.access(
      { Method: FACE, Status: known ? 1 : 0, UserID: known ? userId : '', Similarity: known ? 93 : 0 },
      pictures,
    );
  }

  /** A card (CardNo as the terminal writes it, hex). */
  presentCard(cardNo: string): SimDahuaEvent {
    const owner = this.library.cardOwner(cardNo);
    return this.access({ Method: CARD, Status: owner ? 1 : 0, UserID: owner?.id ?? '', CardNo: cardNo });
  }

  /** An AccessControl record: into the access log with the next RecNo, and out to listeners. */
  access(data: Record<string, unknown>, pictures: Buffer[] = []): SimDahuaEvent {
    const time = this.now;
    const ev: SimDahuaEvent = {
      code: 'AccessControl',
      action: 'Pulse',
      time,
      data: {
        CardName: '',
        Door: 0,
        ErrorCode: 0,
        ReaderID: '1',
        Type: 'Entry',
        UserType: 0,
        ...data,
        RecNo: ++this.#recNo,
        UTC: Math.floor(time / 1000),
      },
      pictures,
    };
    this.records.push(ev);
    this.#deliver(ev);
    return ev;
  }

  /** Any other event (DoorStatus, BreakIn, a code no table knows). */
  event(code: string, data: Record<string, unknown> = {}, action = 'Pulse'): SimDahuaEvent {
    const time = this.now;
    const ev: SimDahuaEvent = {
      code,
      action,
      time,
      data: { ...data, UTC: Math.floor(time / 1000) },
      pictures: [],
    };
    this.#deliver(ev);
    return ev;
  }

  expectOpenDoor(timeoutMs = 5000): Promise<number> {
    return this.#opens.add(() => true, timeoutMs, 'an openDoor');
  }

  #deliver(ev: SimDahuaEvent): void {
    // The stream writes numeric ids as numbers (the push as strings).
    const data: Record<string, unknown> = { ...ev.data };
    for (const k of ['UserID', 'ReaderID'])
      if (typeof data[k] === 'string' && /^\d+$/.test(data[k] as string)) data[k] = Number(data[k]);
    if (this.#o.noRecNoInEvents) delete data.RecNo;
    const raw: RawDahuaEvent = { code: ev.code, action: ev.action, index: 0, data };
    for (const s of this.#attach)
      s.write(
        encodePart(
          { headers: { 'Content-Type': 'text/plain' }, body: attachLine(raw) },
          DAHUA_BOUNDARY,
          true,
        ),
      );
    for (const s of this.#snap) s.write(this.#snapParts(ev, data));
    this.#push.add(ev);
  }

  /** A snap event: its key=value lines with every picture's Offset/Length, then one part holding them all. */
  #snapParts(ev: SimDahuaEvent, data: Record<string, unknown>): Buffer {
    let offset = 0;
    const info = ev.pictures.map((p, i) => {
      const x = { Offset: offset, Length: p.length, Type: i === 0 ? 1 : 0, Width: 480, Height: 640 };
      offset += p.length;
      return x;
    });
    const lines = flatten({
      Events: [
        {
          EventBaseInfo: { Code: ev.code, Action: ev.action, Index: 0 },
          Data: { ...data, ...(info.length ? { ImageInfo: info } : {}) },
        },
      ],
    });
    const parts = [
      encodePart(
        { headers: { 'Content-Type': 'text/plain' }, body: lines.join('\r\n') },
        DAHUA_BOUNDARY,
        true,
      ),
    ];
    if (ev.pictures.length)
      parts.push(
        encodePart(
          { headers: { 'Content-Type': 'image/jpeg' }, body: Buffer.concat(ev.pictures) },
          DAHUA_BOUNDARY,
          true,
        ),
      );
    return Buffer.concat(parts);
  }

  #routes(): void {
    const d = this.device;
    d.route('GET', '/cgi-bin/global.cgi', () => ({
      status: 200,
      type: 'text/plain',
      body: `result=${local(this.now, this.#o.zoneMinutes ?? 480)}\r\n`,
    }));
    d.route('GET', '/cgi-bin/eventManager.cgi', (req) =>
      this.#hold(req.res.socket as Socket, this.#attach, Number(req.query.get('heartbeat') ?? 5)),
    );
    d.route('GET', '/cgi-bin/snapManager.cgi', (req) =>
      this.#hold(req.res.socket as Socket, this.#snap, Number(req.query.get('heartbeat') ?? 10)),
    );
    d.route('GET', CGI.records, (req) => {
      const q = req.query;
      if (q.get('action') !== 'find' || q.get('name') !== 'AccessControlCardRec')
        return { status: 400, type: 'text/plain', body: 'Error' };
      const from = Number(q.get('StartTime') ?? 0) * 1000;
      const to = Number(q.get('EndTime') ?? Number.MAX_SAFE_INTEGER / 1000) * 1000;
      const count = Math.min(1024, Number(q.get('count') ?? 1024));
      const hits = this.records.filter((r) => r.time >= from && r.time <= to).slice(0, count);
      // Newest first, as the firmware lists them: the driver sorts.
      const recs = hits.reverse().map((r) => ({
        RecNo: r.data.RecNo,
        CreateTime: Math.floor(r.time / 1000),
        UserID: r.data.UserID,
        CardNo: r.data.CardNo ?? '',
        Method: r.data.Method,
        Status: r.data.Status,
        ErrorCode: 0,
        Door: 0,
        ReaderID: '1',
        Type: 'Entry',
      }));
      return {
        status: 200,
        type: 'text/plain',
        body: [`found=${recs.length}`, ...flatten({ records: recs })].join('\r\n'),
      };
    });
    d.route('GET', '/cgi-bin/accessControl.cgi', (req): SimReply => {
      if (req.query.get('action') !== 'openDoor') return { status: 400, type: 'text/plain', body: 'Error' };
      const channel = Number(req.query.get('channel') ?? 1);
      this.opens++;
      this.emit('openDoor', channel);
      this.#opens.seen(channel);
      this.access({ Method: 5, Status: 1, UserID: '' });
      this.event('DoorStatus', { Status: 'Open' });
      return { status: 200, type: 'text/plain', body: 'OK\r\n' };
    });
  }

  #hold(sock: Socket, set: Set<Socket>, heartbeatSeconds: number): 'held' {
    sock.write(
      `HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=${DAHUA_BOUNDARY}\r\nConnection: close\r\n\r\n`,
    );
    set.add(sock);
    const beat = setInterval(
      () =>
        sock.write(
          encodePart({ headers: { 'Content-Type': 'text/plain' }, body: 'Heartbeat' }, DAHUA_BOUNDARY, true),
        ),
      Math.max(100, heartbeatSeconds * 1000),
    );
    this.#timers.add(beat);
    sock.once('close', () => {
      set.delete(sock);
      clearInterval(beat);
      this.#timers.delete(beat);
    });
    return 'held';
  }

  /** A pushed body: the `info` JSON (ids as strings) and a JPEG part per picture. */
  #pushBody(ev: SimDahuaEvent): { body: Buffer; contentType: string } {
    const data: Record<string, unknown> = { ...ev.data, ReaderID: String(ev.data.ReaderID ?? '1') };
    if (ev.data.UserID !== undefined) data.UserID = String(ev.data.UserID);
    if (this.#o.noRecNoInEvents) delete data.RecNo;
    if (ev.pictures.length)
      data.ImageInfo = ev.pictures.map((p, i) => ({
        Length: p.length,
        Type: i === 0 ? 1 : 0,
        Width: 480,
        Height: 640,
      }));
    const info = {
      Channel: 0,
      Events: [{ Action: ev.action, Code: ev.code, Data: data, Index: 0 }],
      Time: local(ev.time, this.#o.zoneMinutes ?? 480),
    };
    const body = encodeMultipart(
      [
        {
          headers: { 'Content-Type': 'text/plain', 'Content-Disposition': 'form-data; name="info"' },
          body: JSON.stringify(info),
        },
        ...ev.pictures.map((p, i) => ({
          headers: { 'Content-Type': 'image/jpeg', 'Content-Disposition': `form-data; name="image${i}"` },
          body: p,
        })),
      ],
      DAHUA_BOUNDARY,
    );
    return { body, contentType: `multipart/mixed; boundary=${DAHUA_BOUNDARY}` };
  }
}

/** `YYYY-MM-DD HH:mm:ss` in the terminal's zone. */
function local(ts: number, zoneMinutes: number): string {
  return new Date(ts + zoneMinutes * 60_000).toISOString().slice(0, 19).replace('T', ' ');
}
