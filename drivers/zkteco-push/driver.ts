import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { CredentialRead, DoorCommand, Driver, ReadSink } from '../../core/contracts.js';
import { GatewayError } from '../../core/errors.js';
import type { IngressHead, IngressReply, IngressRequest, IngressRouteOptions } from '../../core/ingress.js';
import type { DriverContext } from '../types.js';
import { parseInfo, parseResults } from './commands.js';
import { MAX_CDATA_BYTES, MAX_SMALL_BODY, PHOTO_WAIT_MS, ROUTES } from './constants.js';
import { checkZktecoOptions, readerOptions } from './options.js';
import { type ZkTerminal, ZktecoProvisioner } from './provisioner.js';
import { CommandQueue } from './queue.js';
import { type AttPhoto, parseAttlog, parseAttPhoto, parseRtlog, parseUsers } from './records.js';

/** One terminal as the driver keeps it. */
interface Device extends ZkTerminal {
  lastSeen: number;
  /** Gateway time its current session began (handshake, or the first request after silence). */
  sessionAt: number;
  /** Pictures waiting for their ATTLOG line: `${pin}@${ts}` → picture. */
  photos: Map<string, AttPhoto & { at: number }>;
  counts: Record<string, number>;
}

/** Pictures kept waiting per terminal at most. */
const MAX_WAITING_PHOTOS = 16;

/**
 * ZKTeco push terminals (protocols.md §4): the gateway is the iclock server, on its terminal
 * listener. Every request is authorised from its head by the terminal's SN and source
 * address before its body is read. The `cdata` handshake hands out the options (TimeZone,
 * Realtime, Delay…) and every answer carries the gateway's clock in `Date`, which the
 * terminal sets itself by; ATTLOG and rtlog uploads become reads (and rtlog door events door
 * signals), answered `OK: <n>` only once they are on disk (a bare OK made a terminal resend
 * one batch 220 times); ATTPHOTO pictures join their record; commands wait in a queue per
 * terminal for its poll on `getrequest` and are matched with their `devicecmd` results.
 * The terminal decides its own door from its library, which the provisioner keeps in step
 * with the roster: the gateway records, checks and alerts.
 */
export class ZktecoDriver implements Driver {
  readonly name = 'zkteco-push';
  readonly provisioning: ZktecoProvisioner;
  readonly #sink: ReadSink;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #bySn = new Map<string, Device>();
  readonly #byReader = new Map<string, Device>();
  #timer: NodeJS.Timeout | undefined;
  #cmdSeq: number;

  constructor(ctx: DriverContext) {
    this.#sink = ctx.sink;
    this.#clock = ctx.clock;
    this.#log = ctx.log;
    // Command ids stay unique across restarts (a late result of an old command matches nothing).
    this.#cmdSeq = Math.floor(ctx.clock.now() / 1000) % 1_000_000_000;
    for (const reader of ctx.readers) {
      const o = readerOptions(reader);
      const other = this.#bySn.get(o.sn);
      if (other)
        throw new GatewayError(
          'CONFIG_READER',
          `reader ${reader.id}: SN ${o.sn} is also reader ${other.readerId}'s`,
        );
      const d: Device = {
        readerId: reader.id,
        o,
        queue: new CommandQueue({
          maxCommands: o.maxCommands,
          maxBytes: o.maxCommandBytes,
          timeoutMs: o.commandTimeoutMs,
          nextId: () => ++this.#cmdSeq,
          readerId: reader.id,
        }),
        online: false,
        info: {},
        lastSeen: 0,
        sessionAt: 0,
        photos: new Map(),
        counts: {},
      };
      this.#bySn.set(o.sn, d);
      this.#byReader.set(reader.id, d);
    }
    this.provisioning = new ZktecoProvisioner(this.#byReader, ctx.log.child({ module: 'zkteco-persons' }));
    const route = (
      method: 'GET' | 'POST',
      path: string,
      f: (d: Device, r: IngressRequest) => IngressReply | Promise<IngressReply>,
      max: number,
    ) => {
      const opts: IngressRouteOptions = { maxBodyBytes: max, authorize: (h) => this.#authorize(h) };
      ctx.ingress.route(method, path, (r) => f(this.#seen(r), r), opts);
    };
    route('GET', ROUTES.cdata, (d, r) => this.#handshake(d, r), 0);
    route('POST', ROUTES.cdata, (d, r) => this.#upload(d, r), MAX_CDATA_BYTES);
    route('GET', ROUTES.getrequest, (d, r) => this.#poll(d, r), 0);
    route('POST', ROUTES.devicecmd, (d, r) => this.#results(d, r), MAX_SMALL_BODY);
    route('GET', ROUTES.registry, (d) => this.#registry(d), 0);
    route('POST', ROUTES.registry, (d) => this.#registry(d), MAX_SMALL_BODY);
    route('GET', ROUTES.push, (d, r) => this.#handshake(d, r), 0);
    route('GET', ROUTES.ping, () => this.#reply('OK'), 0);
  }

  async start(): Promise<void> {
    this.#timer = setInterval(() => this.#sweep(), 5000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    const err = new GatewayError('STOPPING', 'the gateway is stopping');
    for (const d of this.#byReader.values()) d.queue.failAll(err);
  }

  /**
   * The terminal opens its own door from its library (kept in step with the roster): the
   * gateway's answer is recorded, not sent. Counted, so an installer sees the decisions
   * the terminal took alone.
   */
  command(readerId: string, cmd: DoorCommand): void {
    const d = this.#byReader.get(readerId);
    if (d) this.#count(d, cmd.action === 'unlock' ? 'answersUnlock' : 'answersDeny');
  }

  stats(readerId: string): Readonly<Record<string, number>> {
    const d = this.#byReader.get(readerId);
    return d ? { ...d.counts, queued: d.queue.waiting, inFlight: d.queue.inFlight } : {};
  }

  /** SN and source address, from the head alone (core/ingress.ts): the body is never read otherwise. */
  #authorize(h: IngressHead) {
    const sn = h.query.get('SN') ?? '';
    const d = this.#bySn.get(sn);
    const refuse = (why: string) => {
      const safe = /^[A-Za-z0-9_-]{1,64}$/.test(sn) ? sn : '?';
      this.#sink.reject(d?.readerId ?? `zkteco:${safe}`, 'unknown_reader', why);
      return { ok: false as const, reply: { status: 403, body: 'not allowed' } };
    };
    if (!d) return refuse(`SN ${/^[A-Za-z0-9_-]{1,64}$/.test(sn) ? sn : '?'} is no configured terminal`);
    if (h.remoteAddress !== d.o.address)
      return refuse(`SN ${sn} from ${h.remoteAddress}, not ${d.o.address}`);
    return { ok: true as const };
  }

  /** The device of an authorised request; a request after silence brings it online. */
  #seen(r: IngressRequest): Device {
    const d = this.#bySn.get(r.query.get('SN') ?? '') as Device;
    const now = this.#clock.now();
    d.lastSeen = now;
    if (!d.online) {
      d.online = true;
      d.sessionAt = now;
      this.#sink.status(d.readerId, {
        online: true,
        ...(d.info.firmware ? { firmware: d.info.firmware } : {}),
      });
      this.provisioning.ready(d.readerId);
    }
    return d;
  }

  #reply(body: string, status = 200): IngressReply {
    // The terminal sets its clock from Date (§4): the gateway's clock, not the socket's.
    return {
      status,
      headers: { 'content-type': 'text/plain', date: new Date(this.#clock.now()).toUTCString() },
      body,
    };
  }

  #handshake(d: Device, r: IngressRequest): IngressReply {
    d.sessionAt = this.#clock.now();
    const pushver = r.query.get('pushver');
    if (pushver && /^[\w.-]{1,32}$/.test(pushver)) d.info.firmware ??= `push ${pushver}`;
    this.#count(d, 'handshakes');
    const zoneHours = d.o.zoneOffsetMs / 3600_000;
    return this.#reply(
      [
        `GET OPTION FROM: ${d.o.sn}`,
        'ATTLOGStamp=None',
        'OPERLOGStamp=9999',
        'ATTPHOTOStamp=None',
        'ErrorDelay=30',
        `Delay=${d.o.pollSeconds}`,
        'TransTimes=00:00;14:05',
        'TransInterval=1',
        'TransFlag=TransData AttLog OpLog AttPhoto EnrollUser ChgUser EnrollFP ChgFP UserPic',
        `TimeZone=${zoneHours}`,
        'Realtime=1',
        'Encrypt=0',
      ].join('\n'),
    );
  }

  #registry(d: Device): IngressReply {
    this.#count(d, 'registrations');
    return this.#reply(`RegistryCode=${createHash('sha256').update(d.o.sn).digest('hex').slice(0, 10)}`);
  }

  async #upload(d: Device, r: IngressRequest): Promise<IngressReply> {
    const table = (r.query.get('table') ?? '').toUpperCase();
    const z = d.o.zoneOffsetMs;
    if (table === 'ATTPHOTO') {
      const p = parseAttPhoto(r.body, z);
      if (typeof p === 'string') {
        this.#count(d, 'badPhotos');
        this.#sink.reject(d.readerId, 'bad_image', `ATTPHOTO: ${p}`);
      } else this.#keepPhoto(d, p);
      return this.#reply('OK');
    }
    if (table === 'OPERLOG') {
      const u = parseUsers(r.body.toString('utf8'));
      if (u.pins.length + u.admins.length > 0) this.provisioning.users(d.readerId, u.pins, u.admins);
      return this.#reply('OK');
    }
    if (table !== 'ATTLOG' && table !== 'RTLOG') {
      // BIODATA, options and tables this gateway has no use for: taken, so they are not resent.
      this.#count(d, 'otherUploads');
      return this.#reply('OK');
    }
    const upload =
      table === 'ATTLOG' ? parseAttlog(r.body.toString('utf8'), z) : parseRtlog(r.body.toString('utf8'), z);
    for (const p of upload.problems) {
      this.#count(d, 'badLines');
      this.#sink.reject(d.readerId, p.reason, p.detail);
    }
    const now = this.#clock.now();
    const pending: Array<Promise<void>> = [];
    for (const rec of upload.records) {
      // Stamped before its session began (its clock is the gateway's, from Date): from its buffer.
      const offline = rec.ts < d.sessionAt - 2000;
      if (rec.kind === 'door') {
        this.#sink.door({
          readerId: d.readerId,
          kind: rec.signal,
          ts: rec.ts,
          receivedAt: now,
          recordId: rec.recordId,
          offline,
          ...(rec.input ? { input: rec.input } : {}),
        });
        continue;
      }
      const read: CredentialRead = {
        readerId: d.readerId,
        recordId: rec.recordId,
        ts: rec.ts,
        receivedAt: now,
        credential: rec.credential,
        offline,
      };
      const pin = rec.credential.type === 'face' ? rec.credential.personId : null;
      const photo = pin ? d.photos.get(`${pin}@${rec.ts}`) : undefined;
      if (photo && pin) {
        read.image = { mime: 'image/jpeg', data: photo.jpeg };
        d.photos.delete(`${pin}@${rec.ts}`);
      }
      this.#count(d, offline ? 'offlineRecords' : 'records');
      pending.push(this.#sink.submit(read));
    }
    try {
      await Promise.all(pending);
    } catch (err) {
      // Not on disk: the terminal keeps the batch and sends it again (replays are deduplicated).
      this.#log.warn({ err, reader: d.readerId }, 'ATTLOG not stored; the terminal will resend it');
      return this.#reply('ERROR', 503);
    }
    // OK: <n> for every line, kept or refused: a refused line is counted, not resent forever.
    return this.#reply(`OK: ${upload.lines}`);
  }

  #poll(d: Device, r: IngressRequest): IngressReply {
    const info = parseInfo(r.query.get('INFO'));
    if (info.users !== undefined) d.info.users = info.users;
    if (info.firmware && info.firmware !== d.info.firmware) {
      d.info.firmware = info.firmware;
      this.#sink.status(d.readerId, { online: true, firmware: info.firmware });
    }
    const lines = d.queue.take();
    if (lines.length > 0) this.#count(d, 'commandsSent', lines.length);
    return this.#reply(lines.length > 0 ? lines.join('\n') : 'OK');
  }

  #results(d: Device, r: IngressRequest): IngressReply {
    const { results, bad } = parseResults(r.body.toString('utf8'));
    for (const res of results) if (!d.queue.result(res)) this.#count(d, 'resultsUnmatched');
    if (bad > 0) {
      this.#count(d, 'badResults', bad);
      this.#sink.reject(d.readerId, 'bad_field', `devicecmd: ${bad} result(s) without ID or Return`);
    }
    return this.#reply('OK');
  }

  #keepPhoto(d: Device, p: AttPhoto): void {
    const now = this.#clock.now();
    for (const [k, v] of d.photos)
      if (now - v.at > PHOTO_WAIT_MS) {
        d.photos.delete(k);
        this.#count(d, 'photosUnmatched');
      }
    if (d.photos.size >= MAX_WAITING_PHOTOS) {
      const oldest = d.photos.keys().next().value as string;
      d.photos.delete(oldest);
      this.#count(d, 'photosUnmatched');
    }
    d.photos.set(`${p.pin}@${p.ts}`, { ...p, at: now });
  }

  /** Terminals silent for three polls (at least 30 s) are offline; what waits for them fails. */
  #sweep(): void {
    const now = this.#clock.now();
    for (const d of this.#byReader.values()) {
      if (!d.online || now - d.lastSeen < Math.max(30_000, 3 * d.o.pollSeconds * 1000)) continue;
      d.online = false;
      this.#sink.status(d.readerId, { online: false });
      d.queue.failAll(new GatewayError('READER_OFFLINE', `reader ${d.readerId} stopped polling`));
    }
  }

  #count(d: Device, key: string, n = 1): void {
    d.counts[key] = (d.counts[key] ?? 0) + n;
  }
}

/** Factory registered under 'zkteco-push'. */
export function createZktecoDriver(ctx: DriverContext): Driver {
  return new ZktecoDriver(ctx);
}
createZktecoDriver.checkOptions = checkZktecoOptions;
