import { warnIfHeapTight } from './health.js';
import type { Step } from './lifecycle.js';
import type { GatewayParts } from './parts.js';

/**
 * The start order of a gateway (style.md "Ordered lifecycle"); stop runs it backwards.
 * The data directory's lock comes first: a second instance stops there, before it reads
 * or opens anything (issue 12). The secrets and the store next (everything reads them); the roster and the
 * devices' saved state next; the pipeline before the broker link and the drivers that
 * feed it; the reader libraries' sync after the drivers (and so stopped before them: a
 * sync cut between DownChar and Store would leave a half-written page); then the
 * upstream, HTTP, and the periodic work last.
 */
export function gatewaySteps(p: GatewayParts): Step[] {
  const { libraries, upstream, rosterSync, viid, monthlyReports } = p;
  return [
    { name: 'data lock', start: () => p.lock.acquire(), stop: () => p.lock.release() },
    { name: 'secrets', start: () => void p.secrets.load(), stop: () => {} },
    { name: 'store', start: () => void p.store.open(), stop: () => p.store.close() },
    {
      name: 'roster',
      start: () => {
        p.rosterWatch.load();
        p.passes.load(p.clock.now());
        warnIfHeapTight(p.log);
      },
      stop: () => {},
    },
    { name: 'devices', start: () => p.devices.load(), stop: () => p.devices.stop() },
    {
      name: 'pipeline',
      start: () => {
        p.patterns?.load();
        p.pipeline.start({
          devices: p.devices,
          // Door commands go through the doors, which note every unlock (issue 13).
          commands: p.doors,
          afterCommit:
            upstream || viid
              ? () => {
                  upstream?.kick();
                  viid?.kick();
                }
              : undefined,
        });
      },
      stop: () => p.pipeline.stop(),
    },
    {
      name: 'doors',
      start: () =>
        p.doors.start({
          raise: (c) => p.pipeline.raise(c),
          capture: (doorId, why, at) => p.captures.alarm(doorId, why, at),
        }),
      stop: () => p.doors.stop(),
    },
    { name: 'broker link', start: () => p.bus.start(), stop: () => p.bus.stop() },
    { name: 'terminal listener', start: () => p.ingress.start(), stop: () => p.ingress.stop() },
    ...[...p.drivers.drivers].map(
      ([name, d]): Step => ({ name: `driver ${name}`, start: () => d.start(), stop: () => d.stop() }),
    ),
    ...(libraries
      ? [{ name: 'provisioning', start: () => libraries.start(), stop: () => libraries.stop() }]
      : []),
    // Doors held unlocked (passage hours, fire) are sent unlocks once the drivers are up.
    { name: 'door holds', start: () => p.doors.startHolds(), stop: () => p.doors.stopHolds() },
    ...(upstream ? [{ name: 'upstream', start: () => upstream.start(), stop: () => upstream.stop() }] : []),
    ...(monthlyReports
      ? [{ name: 'monthly report', start: () => monthlyReports.start(), stop: () => monthlyReports.stop() }]
      : []),
    // After the pipeline (a refused message raises an alert) and the reader libraries (a
    // synced roster is enrolled on them as an imported one is).
    ...(rosterSync
      ? [{ name: 'roster sync', start: () => rosterSync.start(), stop: () => rosterSync.stop() }]
      : []),
    // The police platform registers in the background: its being down never holds the start.
    ...(viid ? [{ name: 'viid', start: () => viid.start(), stop: () => viid.stop() }] : []),
    { name: 'http', start: () => p.http.start(), stop: () => p.http.stop() },
    { name: 'housekeeping', start: () => p.housekeeping.start(), stop: () => p.housekeeping.stop() },
  ];
}
