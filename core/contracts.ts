/**
 * The one small interface between the pipeline and every reader protocol (design.md §3).
 * Drivers turn bytes or messages into CredentialReads and door commands into bytes or
 * messages. They know nothing of the roster, the store or the upstream.
 */

import type { Provisioner } from './provisioning.js';

export type CredentialType = 'face' | 'card' | 'idcard' | 'fingerprint' | 'qrcode';

export interface FaceCredential {
  type: 'face';
  /** The terminal's person id, or null for a face it did not recognise (a stranger). */
  personId: string | null;
  /** Match score 0..1. */
  score: number;
  liveness?: boolean;
  /** Unit-length float32 vector (128–512), for recognising an unregistered person again. */
  embedding?: Float32Array;
  /** The terminal's own id for an unregistered face it tracks, when it has one. */
  strangerId?: string;
}
export interface CardCredential {
  type: 'card';
  /** Upper-case hex card UID. */
  uid: string;
}
export interface IdCardCredential {
  type: 'idcard';
  /** Raw 18-character ID number. Lives only in memory: the pipeline hashes it at once. */
  number: string;
  name?: string;
  /** YYYY-MM-DD, or null for 长期 (no expiry). */
  validUntil?: string | null;
}
export interface FingerprintCredential {
  type: 'fingerprint';
  templateId: string | null;
  score?: number;
}
export interface QrCredential {
  type: 'qrcode';
  token: string;
}
export type Credential =
  | FaceCredential
  | CardCredential
  | IdCardCredential
  | FingerprintCredential
  | QrCredential;

/** A credential presented at a reader, as the driver decoded it. */
export interface CredentialRead {
  readerId: string;
  /** The reader's own record id, unique per reader; replays carry the same id. */
  recordId: string;
  /** Event time on the reader's clock, epoch ms. */
  ts: number;
  /** When the gateway received it, epoch ms on the gateway clock. */
  receivedAt: number;
  credential: Credential;
  /** Face image as sent; becomes a thumbnail, never enters the journal. */
  image?: { mime: string; data: Buffer };
  /** Replayed from the reader's offline buffer: record and check, never answer. */
  offline: boolean;
}

export interface DoorCommand {
  /** Command id, unique. */
  id: string;
  /** The credential event's record id it answers. */
  event: string;
  action: 'unlock' | 'deny';
  durationMs?: number;
  message?: string;
}

export interface ReaderStatus {
  online: boolean;
  /** Reader clock at the time of the status, epoch ms, when it sent one. */
  ts?: number;
  firmware?: string;
  /** Received from the broker's retained store rather than live. */
  retained?: boolean;
}

/** Why a driver could not turn input into a read. Each is a counter label. */
export type RejectReason =
  | 'not_json'
  | 'bad_field'
  | 'missing_id'
  | 'unknown_reader'
  | 'too_large'
  | 'bad_image'
  | 'future_ts'
  | 'bad_frame';

/** Where drivers deliver what they decode. Implemented by the pipeline. */
/**
 * What a door's hardware reported, as a driver saw it (issue 13): a terminal's door contact
 * and exit button (Hikvision minor 0x17–0x1c, Dahua and ZKTeco door events), an IO board's
 * inputs, a fire-alarm input. Drivers report them; the gateway's door model judges them
 * (forced, held open, fire all-open).
 */
export type DoorSignalKind =
  | 'contact_open'
  | 'contact_closed'
  | 'exit_button'
  | 'lock_opened'
  | 'lock_closed'
  | 'forced_open'
  | 'held_open'
  | 'tamper'
  | 'fire_alarm_on'
  | 'fire_alarm_off';

/** One door signal. */
export interface DoorSignal {
  /** The reader (terminal, IO board) that reported it; its door is the reader's door in config. */
  readerId: string;
  kind: DoorSignalKind;
  /** When it happened on the device's clock, epoch ms. */
  ts: number;
  /** When the gateway received it, epoch ms on the gateway clock. */
  receivedAt: number;
  /** The device's own record id, when it has one (dedupe of replays). */
  recordId?: string;
  /** From the device's offline buffer: history, not the door's state now. */
  offline?: boolean;
  /** The input or door number on the device, for devices with several. */
  input?: number;
}

export interface ReadSink {
  /**
   * Hands over a read. Resolves once the read is durable (or known to be a duplicate);
   * only then may the driver acknowledge it to the reader or broker.
   */
  submit(read: CredentialRead): Promise<void>;
  /** Counts and logs input that could not become a read. Never throws. */
  reject(readerId: string, reason: RejectReason, detail: string): void;
  /** Reports a reader coming online or going offline. */
  status(readerId: string, status: ReaderStatus): void;
  /** Reports what a door's hardware did (contact, exit button, forced, held, fire). Never throws. */
  door(signal: DoorSignal): void;
}

/** A still image a camera took (issue 13): it becomes a read's or an alarm's thumbnail. */
export interface Snapshot {
  mime: string;
  /** The image as the camera sent it; never stored as it is (re-encoded, metadata dropped). */
  data: Buffer;
  /** When the gateway had it, epoch ms on the gateway clock. */
  takenAt: number;
}

/** How a snapshot is asked for. */
export interface SnapshotRequest {
  /** Give up after this long: a snapshot is evidence, never worth waiting for. */
  timeoutMs: number;
  /** Largest image accepted. */
  maxBytes: number;
}

/** A reader protocol implementation, one per driver name, serving all its readers. */
export interface Driver {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Sends a door command to a reader. Never throws; failures are logged and counted. */
  command(readerId: string, cmd: DoorCommand): void;
  /** Line counters of one of its readers (frames, errors, discarded bytes…), if it keeps any. */
  stats?(readerId: string): Readonly<Record<string, number>>;
  /**
   * Its readers keep their own library of people (fingerprint pages, a face terminal's
   * person list): the gateway's roster sync drives it through this (core/provisioning.ts).
   */
  readonly provisioning?: Provisioner;
  /**
   * Its readers are cameras (issue 13): one snapshot now. Rejects with a GatewayError whose
   * code says what went wrong (CAMERA_TIMEOUT, CAMERA_AUTH, CAMERA_UNREACHABLE…).
   */
  snapshot?(readerId: string, req: SnapshotRequest): Promise<Snapshot>;
}
export interface DriverReader {
  id: string;
  door: string;
  options?: Record<string, unknown>;
}

/** One problem with a reader's options, for check-config: `readers[i].options.<field>: message`. */
export interface OptionProblem {
  field: string;
  message: string;
}

/** Checks a reader's `options` without building a driver; [] when they are fine. */
export type OptionsCheck = (options: Readonly<Record<string, unknown>> | undefined) => OptionProblem[];
