import { execFile } from 'node:child_process';

/**
 * Tells systemd the service is ready (Type=notify). Node has no AF_UNIX datagram
 * sockets, so this uses systemd-notify with the daemon's pid; the unit sets
 * NotifyAccess=all so systemd accepts it from the helper process. A no-op outside systemd.
 */
export function notifyReady(): Promise<boolean> {
  if (!process.env.NOTIFY_SOCKET) return Promise.resolve(false);
  return new Promise((resolve) => {
    execFile('systemd-notify', ['--ready', `--pid=${process.pid}`], (err) => resolve(!err));
  });
}
