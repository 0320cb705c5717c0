import type { Logger } from 'pino';
import type { MqttBus } from '../../core/bus.js';
import type { Clock } from '../../core/clock.js';
import type { DoorCommand, Driver, ReadSink } from '../../core/contracts.js';
import type { DriverContext } from '../types.js';
import { TOPIC } from './constants.js';
import { parseEvent, parseEventObject, parseStatus } from './parse.js';

/** Door commands older than this are not resent after a reconnect: nobody is waiting. */
const COMMAND_MAX_AGE_MS = 10_000;

/**
 * Reader protocol v1 over MQTT (design.md §5): face terminals and anything else that
 * speaks it. Events are handed to the sink and acknowledged only when the sink has them
 * on disk; commands go out at QoS 1.
 */
export class MqttV1Driver implements Driver {
  readonly name = 'mqtt-v1';
  readonly #bus: MqttBus;
  readonly #sink: ReadSink;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #prefix: string;

  constructor(ctx: DriverContext) {
    this.#bus = ctx.bus;
    this.#sink = ctx.sink;
    this.#clock = ctx.clock;
    this.#log = ctx.log;
    this.#prefix = ctx.topicPrefix;
    // Handlers are registered now (no I/O) so that nothing the broker delivers right
    // after connecting can arrive before them. Each reader's events get a shard of their
    // own (its own broker session where the link has several, see gateway/mqtt/sessions.ts).
    for (const r of ctx.readers) {
      this.#bus.subscribe(
        `${this.#prefix}/readers/${r.id}/${TOPIC.events}`,
        (topic, payload) => this.#onEvent(topic, payload),
        {
          shard: r.id,
        },
      );
    }
    // Events of readers not in the config: counted and refused (embedded broker; an
    // external broker refuses them by its ACL before they get here).
    this.#bus.subscribe(
      `${this.#prefix}/readers/+/${TOPIC.events}`,
      (topic, payload) => this.#onEvent(topic, payload),
      {
        fallback: true,
      },
    );
    this.#bus.subscribe(`${this.#prefix}/readers/+/${TOPIC.status}`, (topic, payload, info) => {
      const readerId = this.#readerOf(topic);
      const s = parseStatus(payload);
      if ('error' in s) this.#sink.reject(readerId, 'bad_field', s.error);
      else this.#sink.status(readerId, { ...s, retained: info.retain });
      return undefined;
    });
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  command(readerId: string, cmd: DoorCommand): void {
    try {
      this.#bus.publish(`${this.#prefix}/readers/${readerId}/${TOPIC.commands}`, JSON.stringify(cmd), {
        qos: 1,
        maxAgeMs: COMMAND_MAX_AGE_MS,
        shard: readerId,
      });
    } catch (err) {
      this.#log.warn({ err, reader: readerId }, 'door command not sent');
    }
  }

  #readerOf(topic: string): string {
    // {prefix}/readers/{reader}/{kind}: the prefix may itself have several levels.
    const rest = topic.slice(this.#prefix.length + '/readers/'.length);
    return rest.slice(0, rest.lastIndexOf('/'));
  }

  #onEvent(topic: string, payload: Buffer): Promise<void> | undefined {
    const readerId = this.#readerOf(topic);
    const r = parseEvent(readerId, payload, this.#clock.now());
    if (!r.ok) {
      this.#sink.reject(readerId, r.reason, r.detail);
      return undefined;
    }
    return this.#sink.submit(r.read);
  }
}

/** Factory registered under 'mqtt-v1'. */
export function createMqttV1Driver(ctx: DriverContext): Driver {
  return new MqttV1Driver(ctx);
}
/** Replay: a v1 event from a file, checked by the same parser as MQTT input. */
createMqttV1Driver.decodeEvent = parseEventObject;
