import type { Logger } from 'pino';
import type { MessageInfo, MqttBus, TopicGrants } from '../../core/bus.js';
import type { Clock } from '../../core/clock.js';
import type { CredentialRead, DoorCommand, Driver, DriverReader, ReadSink } from '../../core/contracts.js';
import { GatewayError } from '../../core/errors.js';
import type { DriverContext } from '../types.js';
import { BASIC, HEARTBEAT, MAX_PICTURE_BYTES, OP, PUSH_ACK_RECORD, PUSH_ACK_SNAP } from './constants.js';
import { checkMqttFaceOptions, type MqttFaceOptions, readerOptions } from './options.js';
import { type FaceRecord, parseUplink } from './parse.js';
import { MqttFaceProvisioner } from './provisioner.js';

/** The zone a shared-topic message is read in until its terminal is known (UTC+8). */
const DEFAULT_ZONE_MS = 8 * 3600_000;
/** Unlock commands older than this are not resent after a reconnect: nobody is waiting. */
const COMMAND_MAX_AGE_MS = 10_000;

/** One terminal as the driver knows it. */
interface Terminal {
  reader: DriverReader;
  o: MqttFaceOptions;
  /** Terminal clock when its current session began (its Online): records stamped before are from its buffer. */
  sessionTs: number | null;
  online: boolean;
  counts: Record<string, number>;
}

/**
 * The OEM face terminals on `mqtt/face/{facesluiceId}` (protocols.md §5), on the embedded
 * broker or the estate's mosquitto: recognitions (`Rec`), strangers (`Snap`), cards, QR
 * codes and ID cards become reads; `Online` is answered `Online-Ack` (or the terminal keeps
 * asking), heartbeats and the will drive the reader's status; each record is answered
 * `PushAck` once it is on disk, so the terminal's breakpoint resume re-pushes whatever the
 * gateway did not take (a record stamped before its current session is from its buffer:
 * recorded, never answered). A granted live read opens the door with `Unlock`. Its
 * provisioner keeps the terminal's person library in step with the roster.
 */
export class MqttFaceDriver implements Driver {
  readonly name = 'mqtt-face';
  readonly provisioning: MqttFaceProvisioner;
  readonly #bus: MqttBus;
  readonly #sink: ReadSink;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #byReader = new Map<string, Terminal>();
  /** `{root}/{facesluiceId}` → terminal. */
  readonly #byFace = new Map<string, Terminal>();
  #seq = 0;

  constructor(ctx: DriverContext) {
    this.#bus = ctx.bus;
    this.#sink = ctx.sink;
    this.#clock = ctx.clock;
    this.#log = ctx.log;
    const roots = new Set<string>();
    for (const reader of ctx.readers) {
      const o = readerOptions(reader);
      const key = `${o.root}/${o.facesluiceId}`;
      const other = this.#byFace.get(key);
      if (other)
        throw new GatewayError(
          'CONFIG_READER',
          `reader ${reader.id}: facesluiceId ${o.facesluiceId} is also reader ${other.reader.id}'s`,
        );
      const term: Terminal = { reader, o, sessionTs: null, online: false, counts: {} };
      this.#byReader.set(reader.id, term);
      this.#byFace.set(key, term);
      roots.add(o.root);
      // Each terminal's records on a shard of its own (its own broker session behind mosquitto).
      ctx.bus.subscribe(`${key}/+`, (topic, payload, info) => this.#onMessage(topic, payload, info, term), {
        shard: reader.id,
      });
    }
    for (const root of roots) {
      for (const kind of [BASIC, HEARTBEAT])
        ctx.bus.subscribe(`${root}/${kind}`, (topic, payload, info) =>
          this.#onMessage(topic, payload, info, null),
        );
    }
    this.provisioning = new MqttFaceProvisioner({
      terminals: [...this.#byReader.values()].map((t) => ({ readerId: t.reader.id, o: t.o })),
      publish: (readerId, body) => this.#publish(readerId, body, 0),
      ingress: ctx.ingress,
      clock: ctx.clock,
      log: ctx.log.child({ module: 'mqtt-face-persons' }),
    });
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    this.provisioning.stop();
  }

  command(readerId: string, cmd: DoorCommand): void {
    const term = this.#byReader.get(readerId);
    // The protocol has no "deny": the terminal shows its own refusal.
    if (!term || cmd.action !== 'unlock') return;
    this.#publish(
      readerId,
      {
        operator: OP.unlock,
        messageId: this.#messageId(),
        info: { facesluiceId: term.o.facesluiceId, openDoor: '1', Showinfo: cmd.message ?? '' },
      },
      COMMAND_MAX_AGE_MS,
    );
    this.#count(term, 'unlocks');
  }

  stats(readerId: string): Readonly<Record<string, number>> {
    return { ...(this.#byReader.get(readerId)?.counts ?? {}) };
  }

  #onMessage(
    topic: string,
    payload: Buffer,
    info: MessageInfo,
    topicTerm: Terminal | null,
  ): Promise<void> | undefined {
    const kind = topic.slice(topic.lastIndexOf('/') + 1);
    const root = topic.slice(0, topic.lastIndexOf('/'));
    const parse = (zoneOffsetMs: number) =>
      parseUplink(kind, payload, { zoneOffsetMs, maxPictureBytes: MAX_PICTURE_BYTES });
    let m = parse(topicTerm?.o.zoneOffsetMs ?? DEFAULT_ZONE_MS);
    // basic/heartbeat name the terminal only inside: its times are read again in its own zone.
    if (!topicTerm && !('reason' in m) && m.kind !== 'record' && m.facesluiceId) {
      const zone = this.#byFace.get(`${root}/${m.facesluiceId}`)?.o.zoneOffsetMs;
      if (zone !== undefined && zone !== DEFAULT_ZONE_MS) m = parse(zone);
    }
    if ('reason' in m) {
      this.#sink.reject(topicTerm?.reader.id ?? this.#guess(root, payload), m.reason, m.detail);
      if (topicTerm) this.#count(topicTerm, 'badMessages');
      return undefined;
    }
    // basic/heartbeat name the terminal in the payload; per-terminal topics by the topic.
    const term =
      topicTerm ??
      (m.kind !== 'record' && m.facesluiceId ? this.#byFace.get(`${root}/${m.facesluiceId}`) : undefined);
    if (!term) {
      const fid = 'facesluiceId' in m ? m.facesluiceId : null;
      this.#sink.reject(
        `mqtt-face:${fid ?? '?'}`,
        'unknown_reader',
        `facesluiceId ${fid ?? '?'} is no configured reader`,
      );
      return undefined;
    }
    const id = term.reader.id;
    if ('facesluiceId' in m && m.facesluiceId && m.facesluiceId !== term.o.facesluiceId) {
      this.#count(term, 'badMessages');
      this.#sink.reject(
        id,
        'bad_field',
        `${kind}: facesluiceId ${m.facesluiceId} on another terminal's topic`,
      );
      return undefined;
    }
    // On the embedded broker the publisher is known: a terminal speaks for itself only.
    if (info.username !== undefined && info.username !== id) {
      this.#count(term, 'badMessages');
      this.#sink.reject(id, 'bad_field', `${kind}: published by ${info.username}, not by ${id}`);
      return undefined;
    }
    const now = this.#clock.now();
    switch (m.kind) {
      case 'online':
        term.sessionTs = m.ts;
        this.#publish(
          id,
          {
            messageId: m.messageId ?? this.#messageId(),
            operator: OP.onlineAck,
            info: { facesluiceId: term.o.facesluiceId, result: 'ok' },
          },
          0,
        );
        this.#count(term, 'onlineAcks');
        this.#status(term, true, m.ts, m.firmware);
        return undefined;
      case 'offline':
        this.#status(term, false, null);
        return undefined;
      case 'heartbeat':
        this.#status(term, true, m.ts);
        return undefined;
      case 'ack':
        this.provisioning.onAck(id, m);
        return undefined;
      default:
        return this.#onRecord(term, m.record, m.messageId, now);
    }
  }

  #onRecord(term: Terminal, r: FaceRecord, messageId: string | undefined, now: number): Promise<void> {
    const id = term.reader.id;
    if (!term.online) this.#status(term, true, null);
    // From the buffer: the terminal says so, or it was stamped before its current session
    // began (whole seconds: one from the very second it came back is too fresh to be a
    // hazard, and the pipeline's staleness check still judges it).
    const offline = r.resent || (term.sessionTs !== null && r.ts < term.sessionTs);
    const read: CredentialRead = {
      readerId: id,
      recordId: r.recordId,
      ts: r.ts,
      receivedAt: now,
      credential: r.credential,
      offline,
      ...(r.picture ? { image: { mime: 'image/jpeg', data: r.picture } } : {}),
    };
    if (r.pictureProblem) {
      // The record is kept; only its picture is refused (and counted).
      this.#count(term, 'picturesDropped');
      this.#sink.reject(id, 'bad_image', `${r.recordId}: ${r.pictureProblem}; record kept without it`);
    }
    this.#count(term, offline ? 'offlineRecords' : 'records');
    return this.#sink.submit(read).then(() => {
      if (!term.o.pushAck || r.ackType === 'other') return;
      // On disk: the terminal may forget it now (breakpoint resume).
      this.#publish(
        id,
        {
          operator: OP.pushAck,
          messageId: messageId ?? this.#messageId(),
          info: {
            facesluiceId: term.o.facesluiceId,
            PushAckType: r.ackType === 'snap' ? PUSH_ACK_SNAP : PUSH_ACK_RECORD,
            SnapOrRecordID: r.ackId,
          },
        },
        0,
      );
      this.#count(term, 'pushAcks');
    });
  }

  #status(term: Terminal, online: boolean, ts: number | null, firmware?: string): void {
    const was = term.online;
    term.online = online;
    this.#sink.status(term.reader.id, {
      online,
      ...(ts !== null ? { ts } : {}),
      ...(firmware ? { firmware } : {}),
    });
    if (online && !was) this.provisioning.ready(term.reader.id);
    if (!online) this.provisioning.gone(term.reader.id);
  }

  #publish(readerId: string, body: Record<string, unknown>, maxAgeMs: number): void {
    const term = this.#byReader.get(readerId);
    if (!term) return;
    try {
      this.#bus.publish(`${term.o.root}/${term.o.facesluiceId}`, JSON.stringify(body), {
        qos: 0,
        shard: readerId,
        ...(maxAgeMs > 0 ? { maxAgeMs } : {}),
      });
    } catch (err) {
      this.#log.warn({ err, reader: readerId, operator: body.operator }, 'mqtt-face message not sent');
    }
  }

  /** The reader a bad shared-topic message came from, as far as it can be told (for the counter). */
  #guess(root: string, payload: Buffer): string {
    const m = /"facesluiceId"\s*:\s*"([A-Za-z0-9_.:-]{1,64})"/.exec(
      payload.subarray(0, 4096).toString('utf8'),
    );
    return (m && this.#byFace.get(`${root}/${m[1]}`)?.reader.id) ?? 'mqtt-face:?';
  }

  #count(term: Terminal, key: string): void {
    term.counts[key] = (term.counts[key] ?? 0) + 1;
  }

  #messageId(): string {
    return `${this.#clock.now().toString(36)}-${++this.#seq}`;
  }
}

/** Factory registered under 'mqtt-face'. */
export function createMqttFaceDriver(ctx: DriverContext): Driver {
  return new MqttFaceDriver(ctx);
}
createMqttFaceDriver.checkOptions = checkMqttFaceOptions;
/** The topics a terminal may use at the embedded broker, logged in as its reader id. */
createMqttFaceDriver.mqttTopics = (reader: DriverReader): TopicGrants => {
  const o = readerOptions(reader);
  const own = `${o.root}/${o.facesluiceId}`;
  return { publish: [`${own}/+`, `${o.root}/${BASIC}`, `${o.root}/${HEARTBEAT}`], subscribe: [own] };
};
