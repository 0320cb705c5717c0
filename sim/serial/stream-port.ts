import type { Duplex } from 'node:stream';
import type { SerialDevice } from './device.js';

/** A device attached to a byte stream; detach() lets go of it without closing it. */
export interface StreamAttachment {
  /** Bytes from the device that no request asked for. */
  inject(bytes: Buffer): void;
  detach(): void;
}

/**
 * Attaches a simulated device to a byte stream — the device end of a socat pty pair (see
 * openPtyStream), a TCP socket for a ser2net-style test, or any Duplex: what the host
 * writes is handed to the device and its answer written back.
 */
export function attachToStream(device: SerialDevice, stream: Duplex): StreamAttachment {
  const onData = (chunk: Buffer) => {
    const reply = device.handle(chunk);
    if (reply.length > 0) stream.write(reply);
  };
  stream.on('data', onData);
  return {
    inject: (bytes) => void stream.write(bytes),
    detach: () => void stream.off('data', onData),
  };
}
