/**
 * What the composition root hands a driver factory, and what a factory declares about
 * itself. The contracts themselves (reads, door commands, the sink) live in core/.
 */
import type { Logger } from 'pino';
import type { MqttBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type {
  CredentialRead,
  Driver,
  DriverReader,
  OptionsCheck,
  ReadSink,
  RejectReason,
} from '../core/contracts.js';
import type { HttpIngress } from '../core/ingress.js';
import type { SerialBinding } from './serial/link.js';

/** The serialport binding type, for the composition root and tests (style.md: a typed option). */
export type { SerialBinding };

/** A decoded event, or why it is not one (a counter label and a detail for the log). */
export type DecodeResult =
  | { ok: true; read: CredentialRead }
  | { ok: false; reason: RejectReason; detail: string };

/** What a driver factory receives from the composition root. */
export interface DriverContext {
  readers: readonly DriverReader[];
  sink: ReadSink;
  log: Logger;
  clock: Clock;
  /** The MQTT link for MQTT-borne protocols. */
  bus: MqttBus;
  /** Reader protocol v1 topic prefix. */
  topicPrefix: string;
  /**
   * The serialport binding for serial-line protocols. Production passes none (the OS
   * binding); tests inject binding-mock or a simulator here (style.md: a typed option).
   */
  serialBinding?: SerialBinding;
  /**
   * The gateway's listener for terminals that push over HTTP (core/ingress.ts): register
   * routes here while being built. It listens only if some driver registered one.
   */
  ingress: HttpIngress;
  /**
   * Small durable state per reader, kept in the gateway's store (a terminal's catch-up
   * cursor: the last event serial number recorded). Usable once the drivers start. Absent
   * in contexts that keep none (then a driver keeps it in memory and says so).
   */
  state?: DriverState;
  /** The secrets a driver needs for its readers, read when used (the file is loaded by the first start step). */
  secrets?: DriverSecrets;
}

/** A reader's small durable values, by key (issue 11). Values are short strings; never personal data. */
export interface DriverState {
  /** The value stored under `key` for the reader, or null. */
  get(readerId: string, key: string): string | null;
  /** Stores (or replaces) a value; durable when it returns. */
  set(readerId: string, key: string, value: string): void;
}

/** An account on a terminal or a camera: what the gateway logs in with (HTTP Digest, WS-Security). */
export interface TerminalLogin {
  username: string;
  password: string;
}

/** The secrets file as drivers see it: never logged, never copied into config. */
export interface DriverSecrets {
  /** The gateway's login on the terminal (secrets file `terminals.{id}`), when the installer put one there. */
  terminalLogin(readerId: string): TerminalLogin | undefined;
  /** The password the reader logs in to the gateway with (`readers.{id}`): the broker, a Digest-signed push. */
  readerPassword(readerId: string): string | undefined;
  /**
   * A camera's login (secrets file `cameras.{id}`, issue 13): ONVIF and the snapshot's
   * Digest use it. Undefined when none is configured; never log what it returns.
   */
  cameraLogin(readerId: string): TerminalLogin | undefined;
}

/** Creates a protocol's driver; what it declares about itself rides on the function. */
export interface DriverFactory {
  (ctx: DriverContext): Driver;
  /** Checks one reader's `options` at config load, so check-config lists bad ones. */
  checkOptions?: OptionsCheck;
  /** Its readers are door locks (relay boards): a door's `lock` may name one of them. */
  switchesLocks?: boolean;
  /** Its readers are cameras (issue 13): a door's `camera` may name one; they switch nothing. */
  takesSnapshots?: boolean;
  /**
   * Decodes one event already parsed from the protocol's JSON form, as files carry them
   * (replay, issue 4), with the same checks as live input. Total: never throws.
   */
  decodeEvent?: (readerId: string, event: unknown, receivedAt: number) => DecodeResult;
}
