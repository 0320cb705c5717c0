/**
 * Calls into the `onvif` 0.8 library made safe for a daemon (issue 13). Its API is
 * callbacks; it may call one twice (an exception thrown inside its XML callback makes the
 * parser report an error as well), it may throw synchronously, and its own timeout only
 * measures socket idleness. Each call here settles once, within a deadline, and fails with
 * a coded error that says what kind of trouble it was: the gateway counts them by kind.
 */
import { GatewayError } from '../../core/errors.js';
import { AUTH_FAILURE, UNREACHABLE } from './constants.js';

/** What went wrong with a camera, as counters and logs name it. */
export type CameraFailure = 'timeout' | 'auth' | 'unreachable' | 'protocol' | 'bad_image' | 'too_large';

const CODES: Record<CameraFailure, string> = {
  timeout: 'CAMERA_TIMEOUT',
  auth: 'CAMERA_AUTH',
  unreachable: 'CAMERA_UNREACHABLE',
  protocol: 'CAMERA_PROTOCOL',
  bad_image: 'CAMERA_BAD_IMAGE',
  too_large: 'CAMERA_TOO_LARGE',
};

/** A camera error of a kind. */
export function cameraError(
  kind: CameraFailure,
  message: string,
  context: Record<string, unknown> = {},
): GatewayError {
  return new GatewayError(CODES[kind], message, { ...context, failure: kind });
}

/** The kind of a camera error (a library error is classified by its wording). */
export function failureOf(err: unknown): CameraFailure {
  if (err instanceof GatewayError) {
    const kind = (err.context as { failure?: CameraFailure } | undefined)?.failure;
    if (kind) return kind;
  }
  const text = `${(err as Error)?.message ?? ''} ${(err as NodeJS.ErrnoException)?.code ?? ''}`;
  if (/timeout|ETIMEDOUT/i.test(text)) return 'timeout';
  if (AUTH_FAILURE.test(text)) return 'auth';
  if (UNREACHABLE.test(text)) return 'unreachable';
  return 'protocol';
}

/** A callback of the library: error, data, raw XML. */
export type LibraryCallback<T> = (err: Error | null, data?: T, xml?: string) => void;

/**
 * Runs one library call and settles once: with its data, with its error (classified), or
 * with a timeout at `deadline` (epoch ms). A late answer after the deadline is dropped.
 */
export function call<T>(deadline: number, what: string, start: (cb: LibraryCallback<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(
      () => settle(() => reject(cameraError('timeout', `${what}: no answer in time`))),
      Math.max(0, deadline - Date.now()),
    );
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    try {
      start((err, data) =>
        settle(() => {
          if (err) reject(cameraError(failureOf(err), `${what}: ${oneLine(err.message)}`));
          else resolve(data as T);
        }),
      );
    } catch (err) {
      settle(() => reject(cameraError('protocol', `${what}: ${oneLine((err as Error).message)}`)));
    }
  });
}

/** An error message on one line and short (cameras put whole HTML pages in them). */
export function oneLine(s: string): string {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}
