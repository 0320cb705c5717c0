import type { DoorCommand, RejectReason } from '../../core/contracts.js';
import { GatewayError } from '../../core/errors.js';
import { oversizePush, prefixed, sendDoorOpen, TerminalCounters } from '../http/counters.js';
import { Cursor } from '../http/cursor.js';
import { DeviceHttp } from '../http/device-http.js';
import { parseDeviceTime } from '../http/device-time.js';
import { HeldStream } from '../http/held-stream.js';
import { TerminalSession } from '../http/terminal-session.js';
import type { VendorTerminalDeps } from '../http/vendor-driver.js';
import { type DahuaAssembled, DahuaAssembler } from './assembler.js';
import { catchUpRecords } from './catch-up.js';
import { CGI, DAHUA_BOUNDARY } from './constants.js';
import { type DahuaEvent, mapDahua } from './event.js';
import type { DahuaOptions } from './options.js';

/** What a terminal is built from. */
export type DahuaTerminalDeps = VendorTerminalDeps<DahuaOptions>;

type Source = 'push' | 'stream' | 'catchup';

/**
 * One Dahua terminal: its Digest client, probe (getCurrentTime, in the terminal's zone), its
 * attach or snap stream (or the pushes the driver's route hands it), its recordFinder
 * cursor, its door. As for Hikvision, every record goes to the sink with its identity and
 * the cursor moves once a record is durable; a RecNo past the cursor starts a catch-up.
 */
export class DahuaTerminal {
  readonly readerId: string;
  readonly options: DahuaOptions;
  readonly http: DeviceHttp;
  readonly session: TerminalSession;
  readonly counters = new TerminalCounters();
  readonly #d: DahuaTerminalDeps;
  readonly #cursor: Cursor;
  readonly #stream: HeldStream | null;
  #chain: Promise<void> = Promise.resolve();

  constructor(d: DahuaTerminalDeps) {
    this.#d = d;
    this.readerId = d.readerId;
    this.options = d.options;
    const o = d.options;
    this.http = new DeviceHttp({
      host: o.host,
      port: o.port,
      login: d.login,
      timeoutMs: o.timeoutMs,
      maxReplyBytes: 4 * 1024 * 1024,
      now: () => d.clock.now(),
    });
    this.#cursor = new Cursor(d.state, d.readerId, 'records.cursor');
    this.session = new TerminalSession({
      readerId: d.readerId,
      sink: d.sink,
      log: d.log,
      probeMs: o.probeSeconds * 1000,
      hooks: { probe: () => this.#probe(), catchUp: () => this.#catchUp() },
    });
    this.#stream = o.events === 'push' ? null : this.#heldStream(o.events === 'snap' ? CGI.snap : CGI.attach);
  }

  start(): void {
    if (!this.#d.login())
      this.#d.log.warn(
        { reader: this.readerId },
        'no login for this terminal in the secrets file (terminals.<id>.username/password): it is not called until one is there',
      );
    this.session.start();
    this.#stream?.start();
  }

  async stop(): Promise<void> {
    await this.#stream?.stop();
    await this.session.stop();
    await this.#chain;
    this.http.close();
  }

  /** The events of one pushed body, recorded in order; resolves when all are durable. */
  async pushed(events: DahuaAssembled[]): Promise<void> {
    for (const e of events) await this.#record(e, 'push');
  }

  /** A heartbeat part: the stream is alive. */
  heartbeat(): void {
    this.counters.count('heartbeats');
  }

  bad(reason: RejectReason, detail: string): void {
    this.counters.count(`rejected_${reason}`);
    this.#d.sink.reject(this.readerId, reason, detail);
  }

  /** A push too large to read: answered as received, its record fetched by a catch-up (counters.ts). */
  oversizePush(): void {
    oversizePush({
      readerId: this.readerId,
      counters: this.counters,
      log: this.#d.log,
      requestCatchUp: () => this.session.requestCatchUp(),
    });
  }

  pictureDropped(why: string): void {
    this.counters.count(`picture_${why}`);
    this.#d.log.warn({ reader: this.readerId, why }, 'picture dropped; the event is kept');
  }

  /** openDoor for an unlock; a deny has nothing to send. */
  command(cmd: DoorCommand): void {
    if (cmd.action !== 'unlock') return;
    sendDoorOpen({ readerId: this.readerId, counters: this.counters, log: this.#d.log }, 'openDoor', () =>
      this.http.request('GET', `${CGI.openDoor}${this.options.channel}`).then((r) => {
        if (r.status === 200 && /^\s*OK\s*$/i.test(r.body.toString('utf8'))) return;
        throw new GatewayError(
          'DOOR_REFUSED',
          `openDoor answered ${r.status} ${r.body.toString('utf8').slice(0, 80)}`,
        );
      }),
    );
  }

  stats(): Record<string, number> {
    return {
      ...this.counters.snapshot(),
      ...prefixed('http', this.http.stats),
      ...prefixed('session', this.session.stats),
      ...(this.#stream ? prefixed('stream', this.#stream.stats) : {}),
    };
  }

  async #probe(): Promise<number | null> {
    const r = await this.http.request('GET', CGI.time);
    if (r.status !== 200) throw new GatewayError('TERMINAL_REFUSED', `getCurrentTime answered ${r.status}`);
    const local = /result=(.+)/.exec(r.body.toString('utf8'))?.[1]?.trim();
    return local ? parseDeviceTime(local, this.options.utcOffsetMinutes) : null;
  }

  async #catchUp(): Promise<void> {
    const r = await catchUpRecords({
      http: this.http,
      cursor: this.#cursor,
      zoneMinutes: this.options.utcOffsetMinutes,
      catchUpDays: this.options.catchUpDays,
      now: () => this.#d.clock.now(),
      record: (event) => this.#record({ parsed: { ok: true, event } }, 'catchup'),
      bad: (detail) => this.bad('bad_field', `recordFinder: ${detail}`),
    });
    if (r.recorded > 0) {
      this.counters.count('caught_up', r.recorded);
      this.#d.log.info(
        { reader: this.readerId, records: r.recorded },
        'caught up with the terminal’s records',
      );
    }
    if (r.more) void this.session.requestCatchUp();
  }

  #heldStream(path: string): HeldStream {
    const assembler = new DahuaAssembler(
      this.options.utcOffsetMinutes,
      this.options.maxPictureBytes,
      {
        event: (e) => {
          this.#chain = this.#chain.then(() =>
            this.#record(e, 'stream').catch((err: unknown) => {
              this.#d.log.error({ err, reader: this.readerId }, 'streamed event not recorded');
            }),
          );
        },
        bad: (reason, detail) => this.bad(reason, detail),
        pictureDropped: (why) => this.pictureDropped(why),
        heartbeat: () => this.heartbeat(),
      },
      path === CGI.snap,
    );
    return new HeldStream({
      readerId: this.readerId,
      log: this.#d.log,
      http: this.http,
      path,
      boundary: DAHUA_BOUNDARY,
      maxPartBytes: Math.max(this.options.maxPictureBytes * 4, 1024 * 1024),
      // Heartbeats come every 5–10 s: three missed and the stream is dead.
      idleMs: 30_000,
      minRetryMs: 1000,
      maxRetryMs: 60_000,
      onPart: (e) => assembler.part(e),
      onOpen: () => this.session.reachable(null),
      onClose: (err) => {
        assembler.flush();
        this.session.unreachable(err);
      },
    });
  }

  async #record(e: DahuaAssembled, source: Source): Promise<void> {
    const p = e.parsed;
    if (!p.ok) {
      this.bad(p.reason, p.detail);
      return;
    }
    const ev = p.event;
    const offline = source === 'catchup';
    const m = mapDahua(ev, {
      readerId: this.readerId,
      receivedAt: this.#d.clock.now(),
      cardFormat: this.options.cardFormat,
      offline,
      ...(e.image ? { image: e.image } : {}),
    });
    switch (m.kind) {
      case 'read':
        await this.#d.sink.submit(m.read);
        this.counters.count(offline ? 'reads_offline' : 'reads_live');
        break;
      case 'door':
        this.#d.sink.door(m.signal);
        this.counters.count(`door_${m.signal.kind}`);
        break;
      case 'note':
        this.counters.count(`note_${m.name}`);
        break;
      case 'unknown':
        if (this.counters.count(`unknown_${m.code}`) === 1)
          this.#d.log.info({ reader: this.readerId, code: m.code }, 'event code not in the table; counted');
        break;
      case 'bad':
        this.bad(m.reason, m.detail);
        break;
    }
    if (source !== 'catchup') this.#advance(ev);
  }

  /** A live record with a RecNo: in step with the cursor, or past a gap (catch up). */
  #advance(ev: DahuaEvent): void {
    if (ev.recNo === null || ev.code !== 'AccessControl') return;
    const cur = this.#cursor.value;
    if (cur === null || ev.recNo === cur.n + 1) this.#cursor.set({ n: ev.recNo, t: ev.time });
    else if (ev.recNo > cur.n + 1) void this.session.requestCatchUp();
  }
}
