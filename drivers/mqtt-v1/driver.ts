import type { Logger } from 'pino';
import type { MqttBus } from '../../core/bus.js';
import type { Clock } from '../../core/clock.js';
import type { DoorCommand, Driver, DriverReader, ReadSink } from '../../core/contracts.js';
import { ReaderOptions } from '../serial/options.js';
import type { DriverContext } from '../types.js';
import { TOPIC } from './constants.js';
import { parseEvent, parseEventObject, parseStatus } from './parse.js';
import { V1Persons } from './persons.js';

/**
 * A v1 reader's options: `persons: true` opts it into the face-library sync on its
 * `persons` topic (issue 11). Other options are left to the terminal's integrator.
 */
export function mqttV1Options(o: ReaderOptions): { persons: boolean } {
  return { persons: o.bool('persons', false) };
}

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
  /** Command topic per reader id (commands go only to configured readers and door locks). */
  readonly #commandTopics = new Map<string, string>();
  /** The face-library sync of readers that opted in; undefined when none did. */
  readonly provisioning?: V1Persons;

  constructor(ctx: DriverContext) {
    this.#bus = ctx.bus;
    this.#sink = ctx.sink;
    this.#clock = ctx.clock;
    this.#log = ctx.log;
    this.#prefix = ctx.topicPrefix;
    const persons = new Set(ctx.readers.filter((r) => personsOf(r)).map((r) => r.id));
    const provisioning =
      persons.size > 0
        ? new V1Persons({
            bus: ctx.bus,
            clock: ctx.clock,
            log: ctx.log.child({ module: 'persons' }),
            sink: ctx.sink,
            prefix: this.#prefix,
            readers: persons,
          })
        : undefined;
    if (provisioning) this.provisioning = provisioning;
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
      else {
        this.#sink.status(readerId, { ...s, retained: info.retain });
        provisioning?.status(readerId, { ...s, retained: info.retain });
      }
      return undefined;
    });
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  command(readerId: string, cmd: DoorCommand): void {
    // One topic string per reader, built once: a fresh one per command cost a concatenation
    // and its flattening for the packet (issue 15).
    let topic = this.#commandTopics.get(readerId);
    if (topic === undefined) {
      topic = `${this.#prefix}/readers/${readerId}/${TOPIC.commands}`;
      this.#commandTopics.set(readerId, topic);
    }
    try {
      this.#bus.publish(topic, JSON.stringify(cmd), {
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

function personsOf(r: DriverReader): boolean {
  return mqttV1Options(new ReaderOptions(r)).persons;
}

/** Factory registered under 'mqtt-v1'. */
export function createMqttV1Driver(ctx: DriverContext): Driver {
  return new MqttV1Driver(ctx);
}
/** check-config: `persons` must be a boolean (unknown options stay allowed, as before). */
createMqttV1Driver.checkOptions = (options: Readonly<Record<string, unknown>> | undefined) => {
  const problems: Array<{ field: string; message: string }> = [];
  mqttV1Options(new ReaderOptions({ id: '', door: '', options: { ...options } }, problems));
  return problems;
};
/** Replay: a v1 event from a file, checked by the same parser as MQTT input. */
createMqttV1Driver.decodeEvent = parseEventObject;
