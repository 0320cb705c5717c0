import { type ChildProcess, spawn } from 'node:child_process';
import { constants, openSync } from 'node:fs';
import tty from 'node:tty';
import { GatewayError } from '../../core/errors.js';

/** Two linked pseudo-terminals made by socat, and how to tear them down. */
export interface PtyPair {
  /** The end the production driver opens with the real serialport binding. */
  hostPath: string;
  /** The end the simulated device sits on. */
  devicePath: string;
  close(): Promise<void>;
}

/**
 * Starts `socat -d -d pty,raw,echo=0 pty,raw,echo=0` and reads the two /dev/pts paths it
 * reports on stderr. Fails with a clear message when socat is not installed (.ci/run
 * installs it): an end-to-end test must fail, not skip, without it. With `hostLink`, the
 * host end is also reachable at that fixed path (a symlink, like udev's /dev/serial/by-id):
 * a new pair with the same link is the same device plugged in again.
 */
export function openPtyPair(timeoutMs = 5000, hostLink?: string): Promise<PtyPair> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      const host = hostLink ? `pty,raw,echo=0,link=${hostLink}` : 'pty,raw,echo=0';
      child = spawn('socat', ['-d', '-d', host, 'pty,raw,echo=0'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    } catch (err) {
      reject(missing(err));
      return;
    }
    const paths: string[] = [];
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(
        new GatewayError('SOCAT', `socat reported no pty pair within ${timeoutMs} ms: ${stderr.trim()}`),
      );
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(missing(err));
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      for (const m of stderr.matchAll(/PTY is (\/dev\/pts\/\d+)/g))
        if (m[1] && !paths.includes(m[1])) paths.push(m[1]);
      if (paths.length < 2 || !/starting data transfer loop/.test(stderr)) return;
      clearTimeout(timer);
      const [hostPath, devicePath] = paths as [string, string];
      resolve({
        hostPath: hostLink ?? hostPath,
        devicePath,
        close: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

function missing(err: unknown): GatewayError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'socat is not installed (apt-get install socat)' : String(err);
  return new GatewayError('SOCAT', `cannot make a pty pair: ${why}`, {}, { cause: err });
}

/**
 * Opens the device end of a pty pair as a non-blocking stream (a tty handle on the file
 * descriptor: reads and writes both go through it), for attachToStream().
 */
export function openPtyStream(path: string): tty.ReadStream {
  const fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY);
  const stream = new tty.ReadStream(fd);
  stream.setRawMode(true);
  return stream;
}
