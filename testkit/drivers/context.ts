import { Writable } from 'node:stream';
import pino from 'pino';
import type { MqttBus } from '../../core/bus.js';
import { ManualClock } from '../../core/clock.js';
import type {
  CredentialRead,
  DoorSignal,
  DriverReader,
  ReaderStatus,
  ReadSink,
  RejectReason,
} from '../../core/contracts.js';
import type { DriverContext } from '../../drivers/types.js';
import { RecordingIngress } from '../ingress.js';

/** A ReadSink that keeps everything it is given. */
export class RecordingSink implements ReadSink {
  readonly reads: CredentialRead[] = [];
  readonly rejects: Array<{ readerId: string; reason: RejectReason; detail: string }> = [];
  readonly statuses: Array<{ readerId: string; online: boolean; ts?: number }> = [];
  readonly doors: DoorSignal[] = [];

  async submit(read: CredentialRead): Promise<void> {
    this.reads.push(read);
  }

  reject(readerId: string, reason: RejectReason, detail: string): void {
    this.rejects.push({ readerId, reason, detail });
  }

  door(signal: DoorSignal): void {
    this.doors.push(signal);
  }

  status(readerId: string, status: ReaderStatus): void {
    this.statuses.push({
      readerId,
      online: status.online,
      ...(status.ts === undefined ? {} : { ts: status.ts }),
    });
  }

  /** The last status reported for a reader. */
  online(readerId: string): boolean | undefined {
    return this.statuses.filter((s) => s.readerId === readerId).at(-1)?.online;
  }
}

/** A DriverContext for driver tests: recording sink, manual clock, debug log kept in memory. */
export function makeContext(readers: DriverReader[]): {
  ctx: DriverContext;
  sink: RecordingSink;
  clock: ManualClock;
  logLines: string[];
  ingress: RecordingIngress;
} {
  const sink = new RecordingSink();
  const clock = new ManualClock();
  const logLines: string[] = [];
  const dest = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logLines.push(chunk.toString());
      cb();
    },
  });
  const log = pino({ level: 'debug' }, dest);
  // Serial drivers never touch the MQTT bus.
  const bus = undefined as unknown as MqttBus;
  const ingress = new RecordingIngress();
  return {
    ctx: { readers, sink, log, clock, bus, topicPrefix: 'acs/v1', ingress },
    sink,
    clock,
    logLines,
    ingress,
  };
}
