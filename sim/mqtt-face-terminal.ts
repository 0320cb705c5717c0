/**
 * A simulated OEM face terminal on the `mqtt/face/{facesluiceId}` protocol (protocols.md
 * §5), written from the protocol, not from the gateway's driver: it announces itself with
 * `Online` on `mqtt/face/basic` until answered `Online-Ack`, beats every 30 s, pushes
 * recognitions (`RecPush` on …/Rec) and strangers (`StrSnapPush` on …/Snap) at QoS 0 with
 * numbers as strings and local times without a zone, and keeps every record it pushed
 * until a `PushAck` names it, pushing it again every `resumeMs` (breakpoint resume: its
 * offline buffer). It keeps a person library the gateway provisions (EditPersonsNew with
 * picURI fetched over HTTP, EditPerson at most once a second, DeletePersons) and answers
 * in the vendor's codes (464, 478, 467…), and opens its door on `Unlock`.
 */
import { EventEmitter } from 'node:events';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { SimFaceLibrary, type SimRefusal } from './face-library.js';
import { Waiters } from './waiters.js';

/** The vendor's code for each refusal (protocols.md §5 "Errors"). */
const CODES: Record<SimRefusal, string> = {
  bad_photo: '463',
  photo_too_small: '468',
  photo_too_large: '469',
  no_face: '464',
  face_quality_low: '464',
  face_too_similar: '478',
  library_full: '467',
  bad_person: '462',
};

/** Options of a simulated mqtt-face terminal. */
export interface MqttFaceTerminalOptions {
  url: string;
  /** MQTT username: the gateway's reader id. */
  readerId: string;
  password?: string;
  /** Its id in the topics; default the reader id. */
  facesluiceId?: string;
  root?: string;
  /** Offset of its local clock's zone, ms (default +08:00). */
  zoneOffsetMs?: number;
  /** How far its clock is ahead of the host's. */
  clockSkewMs?: number;
  /** Old firmware spells the name `persionName`. */
  nameField?: 'personName' | 'persionName';
  /** A record not PushAck'ed is pushed again after this (default 10 s, the protocol's). */
  resumeMs?: number;
  /** Online is sent again after this until answered (default 5 s). */
  onlineRetryMs?: number;
  heartbeatMs?: number;
  library?: SimFaceLibrary;
  log?: Logger;
}

/** Counters of one terminal. */
export interface MqttFaceTerminalStats {
  pushed: number;
  repushed: number;
  pushAcks: number;
  onlineSent: number;
  onlineAcks: number;
  unlocks: number;
  editBatches: number;
  editPersons: number;
  deletes: number;
  photoFetchFailures: number;
  busy: number;
}

interface Pending {
  topic: string;
  body: string;
  pushedAt: number;
}

/** Events of the terminal. */
export interface MqttFaceTerminalEvents {
  connect: [];
  disconnect: [];
}

/** One simulated terminal. Constructing it does no I/O; start() connects. */
export class MqttFaceTerminal extends EventEmitter<MqttFaceTerminalEvents> {
  readonly library: SimFaceLibrary;
  readonly stats: MqttFaceTerminalStats = {
    pushed: 0,
    repushed: 0,
    pushAcks: 0,
    onlineSent: 0,
    onlineAcks: 0,
    unlocks: 0,
    editBatches: 0,
    editPersons: 0,
    deletes: 0,
    photoFetchFailures: 0,
    busy: 0,
  };
  readonly #o: MqttFaceTerminalOptions;
  readonly #fid: string;
  readonly #root: string;
  #client: MqttClient | undefined;
  /** RecordID/SnapID → what was pushed, until a PushAck names it. */
  readonly #unacked = new Map<string, Pending>();
  readonly #unlocks = new Waiters<Record<string, unknown>>();
  readonly #acked = new Waiters<string>();
  #seq = 0;
  #snapSeq = 0;
  #acknowledged = false;
  #lastEdit = 0;
  #timers: NodeJS.Timeout[] = [];
  #onlineTimer: NodeJS.Timeout | undefined;

  constructor(o: MqttFaceTerminalOptions) {
    super();
    this.#o = o;
    this.#fid = o.facesluiceId ?? o.readerId;
    this.#root = o.root ?? 'mqtt/face';
    this.library = o.library ?? new SimFaceLibrary();
  }

  get facesluiceId(): string {
    return this.#fid;
  }

  /** True while connected and answered Online-Ack. */
  get ready(): boolean {
    return (this.#client?.connected ?? false) && this.#acknowledged;
  }

  /** Records pushed and not yet PushAck'ed (its offline buffer). */
  get unacked(): number {
    return this.#unacked.size;
  }

  /** Connects; resolves once the gateway answered Online-Ack (within timeoutMs). */
  async start(timeoutMs = 10_000): Promise<void> {
    if (this.#client) throw new Error('terminal already started');
    const offline = JSON.stringify({ operator: 'Offline', info: { facesluiceId: this.#fid } });
    const client = mqtt.connect(this.#o.url, {
      clientId: `mf-${this.#fid}`,
      username: this.#o.readerId,
      ...(this.#o.password === undefined ? {} : { password: this.#o.password }),
      protocolVersion: 4,
      clean: true,
      keepalive: 30,
      reconnectPeriod: 500,
      connectTimeout: 5000,
      will: { topic: `${this.#root}/basic`, payload: Buffer.from(offline), qos: 0, retain: false },
    });
    this.#client = client;
    client.on('connect', () => this.#onConnect(client));
    client.on('close', () => {
      if (!this.#acknowledged) return;
      this.#acknowledged = false;
      this.emit('disconnect');
    });
    client.on('message', (topic, payload) => {
      if (topic === `${this.#root}/${this.#fid}`) void this.#onDownlink(client, payload);
    });
    client.on('error', (err) =>
      this.#o.log?.debug({ reader: this.#o.readerId, err: err.message }, 'mqtt error'),
    );
    const resume = setInterval(
      () => this.#resume(),
      Math.max(50, Math.floor((this.#o.resumeMs ?? 10_000) / 4)),
    );
    const beat = setInterval(() => this.#heartbeat(), this.#o.heartbeatMs ?? 30_000);
    resume.unref();
    beat.unref();
    this.#timers.push(resume, beat);
    await this.whenReady(timeoutMs);
  }

  /** Resolves when the terminal is connected and acknowledged. */
  whenReady(timeoutMs = 10_000): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('connect', ok);
        reject(new Error(`${this.#fid}: no Online-Ack within ${timeoutMs} ms`));
      }, timeoutMs);
      const ok = () => {
        clearTimeout(timer);
        resolve();
      };
      this.once('connect', ok);
    });
  }

  /**
   * Someone shows their face: a recognition of `customId` (an enrolled person) or, null,
   * a stranger. Returns the record's id (RecordID, or SnapID for a stranger). Pushed at
   * once when connected; kept and pushed again until PushAck'ed either way.
   */
  recognise(customId: string | null, o: { score?: number; picture?: Buffer; ts?: number } = {}): string {
    const ts = this.#time(o.ts);
    const pic = o.picture ? `data:image/jpeg;base64,${o.picture.toString('base64')}` : undefined;
    if (customId === null || !this.library.has(customId)) {
      const id = String(++this.#snapSeq + 500_000);
      const info = {
        facesluiceId: this.#fid,
        SnapID: id,
        time: ts,
        similarity1: '0.000000',
        ...(pic ? { pic } : {}),
      };
      this.#push(id, 'Snap', { operator: 'StrSnapPush', info });
      return id;
    }
    const id = String(++this.#seq);
    const score = (o.score ?? 0.93) * 100;
    const info: Record<string, unknown> = {
      customId,
      personId: String(1000 + this.#seq),
      RecordID: id,
      VerifyStatus: '1',
      PersonType: '0',
      similarity1: score.toFixed(6),
      Sendintime: '1',
      [this.#o.nameField ?? 'personName']: this.library.get(customId)?.name ?? '',
      facesluiceId: this.#fid,
      idCard: '',
      time: ts,
      ...(pic ? { pic } : {}),
    };
    this.#push(id, 'Rec', { operator: 'RecPush', info });
    return id;
  }

  /** Publishes raw bytes on one of its uplink topics (bad-input tests). */
  async publishRaw(kind: string, payload: Buffer | string): Promise<void> {
    if (!this.#client) throw new Error('terminal not started');
    const topic =
      kind === 'basic' || kind === 'heartbeat'
        ? `${this.#root}/${kind}`
        : `${this.#root}/${this.#fid}/${kind}`;
    await this.#client.publishAsync(topic, payload, { qos: 0 });
  }

  /** Resolves with the next Unlock's info that `accept` takes. */
  expectUnlock(
    accept: (info: Record<string, unknown>) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<Record<string, unknown>> {
    return this.#unlocks.add(accept, timeoutMs, `${this.#fid}: Unlock`);
  }

  /** Resolves when record `id` has been PushAck'ed (at once if it is no longer pending). */
  acked(id: string, timeoutMs = 15_000): Promise<void> {
    if (!this.#unacked.has(`Rec:${id}`) && !this.#unacked.has(`Snap:${id}`)) return Promise.resolve();
    return this.#acked
      .add((x) => x === id, timeoutMs, `${this.#fid}: PushAck of ${id}`)
      .then(() => undefined);
  }

  /** Graceful: says Offline, then disconnects. */
  async stop(): Promise<void> {
    for (const t of this.#timers.splice(0)) clearInterval(t);
    clearInterval(this.#onlineTimer);
    const c = this.#client;
    if (!c) return;
    if (c.connected)
      await c
        .publishAsync(
          `${this.#root}/basic`,
          JSON.stringify({ operator: 'Offline', info: { facesluiceId: this.#fid } }),
        )
        .catch(() => undefined);
    await c.endAsync(true).catch(() => undefined);
  }

  /** Abrupt: the socket dies, the broker sends the will. Timers stay (it keeps its buffer). */
  async kill(): Promise<void> {
    await this.#client?.endAsync(true);
  }

  /** Comes back after kill(): a new connection, Online again, the buffer re-pushed once acknowledged. */
  async restart(timeoutMs = 10_000): Promise<void> {
    this.#client = undefined;
    for (const t of this.#timers.splice(0)) clearInterval(t);
    await this.start(timeoutMs);
  }

  #time(hostTs?: number): string {
    const t = (hostTs ?? Date.now()) + (this.#o.clockSkewMs ?? 0) + (this.#o.zoneOffsetMs ?? 8 * 3600_000);
    return new Date(t).toISOString().slice(0, 19).replace('T', ' ');
  }

  #onConnect(client: MqttClient): void {
    this.#acknowledged = false;
    client.subscribe(`${this.#root}/${this.#fid}`, { qos: 0 });
    const online = () => {
      this.stats.onlineSent++;
      client.publish(
        `${this.#root}/basic`,
        JSON.stringify({
          operator: 'Online',
          messageId: `on-${Date.now()}`,
          info: { facesluiceId: this.#fid, time: this.#time(), ip: '10.0.0.50', version: 'SIM-MF-1.25' },
        }),
      );
    };
    // Unanswered, the terminal keeps announcing itself (§5 "Presence").
    clearInterval(this.#onlineTimer);
    this.#onlineTimer = setInterval(online, this.#o.onlineRetryMs ?? 5000);
    this.#onlineTimer.unref();
    online();
  }

  #heartbeat(): void {
    if (!this.ready) return;
    this.#client?.publish(
      `${this.#root}/heartbeat`,
      JSON.stringify({ operator: 'HeartBeat', info: { facesluiceId: this.#fid, time: this.#time() } }),
    );
  }

  #push(id: string, kind: 'Rec' | 'Snap', body: Record<string, unknown>): void {
    const p: Pending = {
      topic: `${this.#root}/${this.#fid}/${kind}`,
      body: JSON.stringify(body),
      pushedAt: Date.now(),
    };
    this.#unacked.set(`${kind}:${id}`, p);
    if (this.ready) {
      this.stats.pushed++;
      this.#client?.publish(p.topic, p.body, { qos: 0 });
    }
  }

  /** Pushes again what waited longer than resumeMs for its PushAck (after a reconnect: everything). */
  #resume(force = false): void {
    if (!this.ready) return;
    const now = Date.now();
    for (const p of this.#unacked.values()) {
      if (!force && now - p.pushedAt < (this.#o.resumeMs ?? 10_000)) continue;
      p.pushedAt = now;
      this.stats.repushed++;
      this.#client?.publish(p.topic, p.body, { qos: 0 });
    }
  }

  async #onDownlink(client: MqttClient, payload: Buffer): Promise<void> {
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
    } catch {
      return;
    }
    const info = (m.info ?? {}) as Record<string, unknown>;
    const reply = (body: Record<string, unknown>) =>
      client.publish(`${this.#root}/${this.#fid}/Ack`, JSON.stringify({ messageId: m.messageId, ...body }));
    switch (m.operator) {
      case 'Online-Ack':
        this.stats.onlineAcks++;
        clearInterval(this.#onlineTimer);
        if (!this.#acknowledged) {
          this.#acknowledged = true;
          this.emit('connect');
          this.#resume(true);
        }
        return;
      case 'PushAck': {
        const id = String(info.SnapOrRecordID ?? '');
        const kind = String(info.PushAckType) === '1' ? 'Snap' : 'Rec';
        if (this.#unacked.delete(`${kind}:${id}`)) {
          this.stats.pushAcks++;
          this.#acked.seen(id);
        }
        return;
      }
      case 'Unlock':
        this.stats.unlocks++;
        this.#unlocks.seen(info);
        return;
      case 'EditPersonsNew':
        reply(await this.#editBatch(info as unknown as unknown[], m));
        return;
      case 'EditPerson':
        reply(this.#editOne(info));
        return;
      case 'DeletePersons':
        reply(this.#delete(info));
        return;
      default:
        reply({ operator: `${String(m.operator)}-Ack`, code: '462', info: { facesluiceId: this.#fid } });
    }
  }

  async #editBatch(_info: unknown, m: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.stats.editBatches++;
    const list = Array.isArray(m.info) ? (m.info as Array<Record<string, unknown>>) : null;
    if (m.DataBegin !== 'BeginFlag') return { operator: 'AddPersons-Ack', code: '412', info: {} };
    if (m.DataEnd !== 'EndFlag') return { operator: 'AddPersons-Ack', code: '413', info: {} };
    if (!list || String(list.length) !== String(m.PersonNum))
      return { operator: 'AddPersons-Ack', code: '416', info: {} };
    const errors: Array<{ customId: string; errcode: string }> = [];
    for (const p of list) {
      const id = String(p.customId ?? '');
      const photo = await this.#fetch(String(p.picURI ?? ''));
      if (!photo) {
        errors.push({ customId: id, errcode: '471' });
        continue;
      }
      const refused = this.library.upsert(personOf(p, photo.length), photo);
      if (refused) errors.push({ customId: id, errcode: CODES[refused] });
    }
    // AddPersons-Ack keeps "200" whatever happened to the persons (§5).
    return {
      operator: 'AddPersons-Ack',
      code: '200',
      info: {
        facesluiceId: this.#fid,
        AddErrNum: String(errors.length),
        AddSucNum: String(list.length - errors.length),
        AddErrInfo: errors,
      },
    };
  }

  #editOne(info: Record<string, unknown>): Record<string, unknown> {
    this.stats.editPersons++;
    const id = String(info.customId ?? '');
    const now = Date.now();
    // The protocol asks for ≥ 1 s between EditPersons: faster ones are refused busy.
    if (now - this.#lastEdit < 1000) {
      this.stats.busy++;
      return { operator: 'EditPerson-Ack', code: '410', info: { customId: id, facesluiceId: this.#fid } };
    }
    this.#lastEdit = now;
    const b64 = String(info.pic ?? '').replace(/^data:image\/[a-z]+;base64,/, '');
    if (b64 === '') return { operator: 'EditPerson-Ack', code: '472', info: { customId: id } };
    const photo = Buffer.from(b64, 'base64');
    const refused = this.library.upsert(personOf(info, photo.length), photo);
    return {
      operator: 'EditPerson-Ack',
      code: refused ? CODES[refused] : '200',
      info: { customId: id, facesluiceId: this.#fid },
    };
  }

  #delete(info: Record<string, unknown>): Record<string, unknown> {
    const ids = Array.isArray(info.customId) ? info.customId.map(String) : [String(info.customId ?? '')];
    const errors: Array<{ customId: string; errcode: string }> = [];
    for (const id of ids) {
      this.stats.deletes++;
      if (!this.library.remove(id)) errors.push({ customId: id, errcode: '461' });
    }
    return {
      operator: 'DeletePersons-Ack',
      code: '200',
      info: { facesluiceId: this.#fid, DelErrInfo: errors },
    };
  }

  async #fetch(uri: string): Promise<Buffer | null> {
    try {
      const res = await fetch(uri, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) {
        this.stats.photoFetchFailures++;
        return null;
      }
      return Buffer.from(await res.arrayBuffer());
    } catch {
      this.stats.photoFetchFailures++;
      return null;
    }
  }
}

/** The library person of an EditPersonsNew / EditPerson entry. */
function personOf(p: Record<string, unknown>, photoBytes: number) {
  const temp = String(p.tempValid ?? '0') === '1';
  const t = (v: unknown) => (typeof v === 'string' ? Date.parse(`${v.replace(' ', 'T')}+08:00`) : null);
  return {
    id: String(p.customId ?? ''),
    name: String(p.name ?? ''),
    validFrom: temp ? t(p.validBegin) : null,
    validTo: temp ? t(p.validEnd) : null,
    cards: [],
    temporary: temp,
    photoBytes,
  };
}
