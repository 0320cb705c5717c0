import type { Logger } from 'pino';

/** sysexits EX_CONFIG: the unit file stops restarting on it (RestartPreventExitStatus=78). */
export const EXIT_CONFIG = 78;

/**
 * The one SIGTERM/SIGINT handler (style.md): the first signal stops the service in order
 * and exits 0; a second one exits at once. SIGHUP runs `onHup` (reload). A crash is logged
 * and exits 1 for systemd to restart. Only entry points call process.exit.
 */
export function handleSignals(log: Logger, stop: () => Promise<void>, onHup?: () => void): void {
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal: sig }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal: sig }, 'stopping');
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  if (onHup) process.on('SIGHUP', onHup);
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception');
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    log.fatal({ err }, 'unhandled promise rejection');
    process.exit(1);
  });
}
