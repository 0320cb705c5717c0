/**
 * A simulated Hikvision MinMoe face terminal (DS-K1T…) speaking ISAPI as protocols.md §2
 * describes it: Digest with short-lived nonces and lockout, an event log with serial
 * numbers, one alertStream slot (a second is refused `deployExceedMax`) that replays what
 * happened while nobody listened with `currentEvent:false`, HTTP-host pushes (multipart
 * `event_log` + picture) retried until answered 200, AcsEvent searches in unordered pages
 * of 30, pictures by URL, the remote door, and a face library the gateway provisions
 * (library-routes.ts). The production driver is what tests run against it.
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { HIK_BOUNDARY, ISAPI, MAJOR } from '../../drivers/hikvision-isapi/constants.js';
import { eventLogJson, responseStatusJson } from '../../drivers/hikvision-isapi/wire.js';
import { encodeMultipart, encodePart } from '../../drivers/http/multipart.js';
import { SimFaceLibrary } from '../vendor/face-library.js';
import { SimHttpDevice, type SimReply } from '../vendor/http-device.js';
import { PushQueue } from '../vendor/push-queue.js';
import { Waiters } from '../waiters.js';
import { type AcsQuirks, searchEvents } from './acs-search.js';
import { isoLocal, type SimHikEvent } from './event-log.js';
import { type HikLibraryQuirks, registerLibraryRoutes } from './library-routes.js';

/** Options of a simulated terminal. */
export interface SimHikvisionOptions extends HikLibraryQuirks, AcsQuirks {
  password: string;
  username?: string;
  port?: number;
  /** Uses of one nonce (one firmware rejects the third). Default 2. */
  nonceMaxUses?: number;
  lockAfter?: number;
  lockSeconds?: number;
  /** Its clock ahead of the host's, ms. */
  clockSkewMs?: number;
  zoneMinutes?: number;
  /** Heartbeat on the alertStream, ms. Default 10 s. */
  heartbeatMs?: number;
  /** First serial number. Default 1. */
  firstSerial?: number;
  faceCapacity?: number;
  /** Events kept for a stream client that was away. Default 1,000. */
  replayMax?: number;
  /** Pause before a failed push is retried, ms. Default 500. */
  pushRetryMs?: number;
  /** A push that waited this long for the gateway goes out as `currentEvent:false`, ms. Default 5 s. */
  pushHistoryAfterMs?: number;
  /** Firmware that leaves the Content-Type off the `event_log` part. */
  pushWithoutPartType?: boolean;
  /** Pushes signed with Digest (the HTTP host's `httpAuthenticationMethod MD5digest`). */
  pushLogin?: { username: string; password: string };
}

/** Events of the simulated terminal. */
export interface SimHikvisionEvents {
  remoteOpen: [door: number];
  pushed: [serialNo: number];
}

/** The minor codes the terminal writes for what people do. */
const FACE_PASS = 0x4b;
const FACE_FAIL = 0x50;
const CARD_PASS = 0x01;
const CARD_INVALID = 0x09;

export type { SimHikEvent };

/** One simulated terminal. Constructing it does no I/O; start() listens. */
export class SimHikvisionTerminal extends EventEmitter<SimHikvisionEvents> {
  readonly library: SimFaceLibrary;
  readonly device: SimHttpDevice;
  readonly log: SimHikEvent[] = [];
  readonly #o: SimHikvisionOptions;
  #serial: number;
  #stream: Socket | null = null;
  #heartbeat: NodeJS.Timeout | null = null;
  /** Events no stream client has seen yet. */
  #unsent: SimHikEvent[] = [];
  readonly #push: PushQueue<SimHikEvent>;
  readonly #opens = new Waiters<number>();
  remoteOpens = 0;
  streamsRefused = 0;

  constructor(o: SimHikvisionOptions) {
    super();
    this.#o = o;
    this.#serial = (o.firstSerial ?? 1) - 1;
    this.library = new SimFaceLibrary(o.faceCapacity);
    this.device = new SimHttpDevice({
      realm: 'DS-K1T673DX',
      username: o.username ?? 'admin',
      password: o.password,
      nonceMaxUses: o.nonceMaxUses ?? 2,
      lockAfter: o.lockAfter,
      lockSeconds: o.lockSeconds,
      port: o.port,
      body401: (left) => ({
        type: 'application/xml',
        body:
          `<?xml version="1.0" encoding="UTF-8"?><userCheck><statusValue>401</statusValue><statusString>Unauthorized</statusString>` +
          `<lockStatus>${left === null ? 'unlock' : 'lock'}</lockStatus><unlockTime>${left ?? 0}</unlockTime><retryLoginTime>5</retryLoginTime></userCheck>`,
      }),
    });
    registerLibraryRoutes(this.device, this.library, o);
    this.#push = new PushQueue({
      encode: (ev, waited) => this.#pushBody(ev, waited),
      retryMs: o.pushRetryMs,
      login: o.pushLogin,
      pushed: (ev) => this.emit('pushed', ev.serialNo),
    });
    this.#routes();
  }

  get port(): number {
    return this.device.port;
  }

  /** The terminal's clock now. */
  get now(): number {
    return Date.now() + (this.#o.clockSkewMs ?? 0);
  }

  /** Pushes the gateway did not answer 200 (down, refusing), each retried later. */
  get pushFailures(): number {
    return this.#push.failures;
  }

  /** True while a client holds the alertStream. */
  get streaming(): boolean {
    return this.#stream !== null;
  }

  async start(): Promise<void> {
    await this.device.start();
  }

  /** Powers off: the stream and every connection drop, pushes stop. */
  async stop(): Promise<void> {
    this.#endStream();
    this.#push.stop();
    await this.device.stop();
  }

  /** Where pushes go (what `PUT httpHosts` sets). */
  pushTo(url: string | null): void {
    this.#push.target(url);
  }

  /** A person shows their face: a pass with their employeeNo if their face is enrolled, else a fail. */
  presentFace(employeeNo: string | null, picture?: Buffer): SimHikEvent {
    const known = employeeNo !== null && this.library.persons.get(employeeNo)?.face;
    return this.record({
      major: MAJOR.event,
      minor: known ? FACE_PASS : FACE_FAIL,
      ...(known ? { employeeNo: employeeNo as string } : {}),
      ...(picture ? { picture } : {}),
    });
  }

  /** A card held to the reader (cardNo as the terminal writes it, decimal). */
  presentCard(cardNo: string): SimHikEvent {
    const owner = this.library.cardOwner(cardNo);
    return this.record({
      major: MAJOR.event,
      minor: owner ? CARD_PASS : CARD_INVALID,
      cardNo,
      ...(owner ? { employeeNo: owner.id } : {}),
    });
  }

  /** Records any event (door contact, exit button, a code no table knows) and delivers it. */
  record(e: Omit<SimHikEvent, 'serialNo' | 'time'> & { time?: number }): SimHikEvent {
    const ev: SimHikEvent = { ...e, serialNo: ++this.#serial, time: e.time ?? this.now };
    this.log.push(ev);
    if (this.#stream) this.#send(ev, true);
    else {
      this.#unsent.push(ev);
      if (this.#unsent.length > (this.#o.replayMax ?? 1000)) this.#unsent.shift();
    }
    this.#push.add(ev);
    return ev;
  }

  /** Resolves at the next remote door open (the gateway's unlock). */
  expectRemoteOpen(timeoutMs = 5000): Promise<number> {
    return this.#opens.add(() => true, timeoutMs, 'a remote door open');
  }

  #routes(): void {
    const d = this.device;
    d.route('GET', ISAPI.time, () => ({
      status: 200,
      type: 'application/xml',
      body: `<?xml version="1.0" encoding="UTF-8"?><Time><timeMode>manual</timeMode><localTime>${isoLocal(this.now, this.#o.zoneMinutes ?? 480)}</localTime><timeZone>CST-8:00:00</timeZone></Time>`,
    }));
    d.route('GET', ISAPI.deviceInfo, () => ({
      status: 200,
      type: 'application/xml',
      body: '<DeviceInfo><deviceName>Access Controller</deviceName><model>DS-K1T673DX</model><firmwareVersion>V3.18.0</firmwareVersion></DeviceInfo>',
    }));
    d.route('POST', ISAPI.acsEvent.split('?')[0] as string, (req) =>
      searchEvents(req.body, this.log, this.#o, this.#o.zoneMinutes ?? 480, this.port),
    );
    d.route('GET', '/LOCALS/pic/*', (req) => {
      const serial = Number(/(\d+)\.jpe?g/.exec(req.path)?.[1]);
      const pic = this.log.find((e) => e.serialNo === serial)?.picture;
      return pic ? { status: 200, type: 'image/jpeg', body: pic } : { status: 404, body: '' };
    });
    d.route('PUT', `${ISAPI.remoteDoor}*`, (req) => {
      const door = Number(req.path.slice(ISAPI.remoteDoor.length));
      if (!/<cmd>\s*open\s*<\/cmd>/.test(req.body.toString('utf8')))
        return { status: 400, body: responseStatusJson({ statusCode: 6, subStatusCode: 'badXmlContent' }) };
      this.remoteOpens++;
      this.emit('remoteOpen', door);
      this.#opens.seen(door);
      this.record({ major: MAJOR.operation, minor: 0x400 });
      this.record({ major: MAJOR.event, minor: 0x15 });
      return { status: 200, body: responseStatusJson({ statusCode: 1 }) };
    });
    d.route('PUT', ISAPI.httpHosts, (req) => {
      const xml = req.body.toString('utf8');
      const tag = (n: string) => new RegExp(`<${n}>([^<]*)</${n}>`).exec(xml)?.[1];
      const ip = tag('ipAddress');
      const port = tag('portNo');
      const url = tag('url');
      if (!ip || !port || !url)
        return { status: 400, body: responseStatusJson({ statusCode: 6, subStatusCode: 'badXmlContent' }) };
      this.pushTo(`http://${ip}:${port}${url}`);
      return { status: 200, body: responseStatusJson({ statusCode: 1 }) };
    });
    d.route('GET', ISAPI.alertStream, (req): SimReply => {
      if (this.#stream) {
        // One subscription per device (protocols.md §2).
        this.streamsRefused++;
        return { status: 403, body: responseStatusJson({ statusCode: 4, subStatusCode: 'deployExceedMax' }) };
      }
      const sock = req.res.socket as Socket;
      // As the firmware: no Content-Length, no chunking; the parts run until the socket closes.
      sock.write(
        `HTTP/1.1 200 OK\r\nContent-Type: multipart/mixed; boundary=${HIK_BOUNDARY}\r\nConnection: close\r\n\r\n`,
      );
      this.#stream = sock;
      sock.once('close', () => {
        if (this.#stream === sock) this.#endStream();
      });
      // What happened while nobody listened is replayed first, as history.
      const backlog = this.#unsent;
      this.#unsent = [];
      for (const ev of backlog) this.#send(ev, false);
      this.#heartbeat = setInterval(() => this.#writeHeartbeat(), this.#o.heartbeatMs ?? 10_000);
      return 'held';
    });
  }

  #send(ev: SimHikEvent, current: boolean): void {
    const s = this.#stream;
    if (!s) return;
    const parts = [
      encodePart(
        { headers: { 'Content-Type': 'application/json; charset="UTF-8"' }, body: this.#json(ev, current) },
        HIK_BOUNDARY,
        true,
      ),
    ];
    if (ev.picture)
      parts.push(
        encodePart(
          {
            headers: {
              'Content-Disposition': 'form-data; name="Picture"; filename="Picture.jpg"',
              'Content-Type': 'image/jpeg',
            },
            body: ev.picture,
          },
          HIK_BOUNDARY,
          true,
        ),
      );
    s.write(Buffer.concat(parts));
  }

  #writeHeartbeat(): void {
    const xml = `<EventNotificationAlert version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema"><ipAddress>127.0.0.1</ipAddress><dateTime>${isoLocal(this.now, this.#o.zoneMinutes ?? 480)}</dateTime><activePostCount>0</activePostCount><eventType>videoloss</eventType><eventState>inactive</eventState></EventNotificationAlert>`;
    this.#stream?.write(
      encodePart(
        { headers: { 'Content-Type': 'application/xml; charset="UTF-8"' }, body: xml },
        HIK_BOUNDARY,
        true,
      ),
    );
  }

  #endStream(): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
    this.#stream?.destroy();
    this.#stream = null;
  }

  #json(ev: SimHikEvent, current: boolean): string {
    return eventLogJson({
      time: ev.time,
      zoneMinutes: this.#o.zoneMinutes ?? 480,
      major: ev.major,
      minor: ev.minor,
      serialNo: ev.serialNo,
      ...(ev.employeeNo !== undefined ? { employeeNo: ev.employeeNo } : {}),
      ...(ev.cardNo !== undefined ? { cardNo: ev.cardNo } : {}),
      currentEvent: current,
      pictures: ev.picture ? 1 : 0,
    });
  }

  /** A pushed body: `event_log` and the picture; an event that waited for the gateway is history by now. */
  #pushBody(ev: SimHikEvent, waitedMs: number): { body: Buffer; contentType: string } {
    const partType: Record<string, string> = this.#o.pushWithoutPartType
      ? {}
      : { 'Content-Type': 'application/json' };
    const body = encodeMultipart(
      [
        {
          headers: { 'Content-Disposition': 'form-data; name="event_log"', ...partType },
          body: this.#json(ev, waitedMs < (this.#o.pushHistoryAfterMs ?? 5000)),
        },
        ...(ev.picture
          ? [
              {
                headers: {
                  'Content-Disposition': 'form-data; name="Picture"; filename="Picture.jpg"',
                  'Content-Type': 'image/jpeg',
                },
                body: ev.picture,
              },
            ]
          : []),
      ],
      HIK_BOUNDARY,
    );
    return { body, contentType: `multipart/form-data; boundary=${HIK_BOUNDARY}` };
  }
}
