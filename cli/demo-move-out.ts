import type { Logger } from 'pino';
import type { Gateway } from '../gateway/gateway.js';
import type { EstateSimulation } from '../sim/scenario.js';
import type { SimEstate } from '../sim/types.js';
import type { SimRosterIssuer } from '../sim/upstream-roster.js';

/** How long after start the demo's resident moves out upstream. */
export const MOVE_OUT_AFTER_MS = 20_000;
/** How often the demo looks whether the gateway has the new roster (a CLI loop, not a test). */
const LOOK_EVERY_MS = 250;

/**
 * The demo's move-out (issue 14): some seconds after start, a resident moves out at the
 * simulated district system; the signed delta reaches the gateway on its next pull; the
 * resident then shows a face at their home door and is refused. Each step is printed with
 * how long it took since the move-out upstream.
 */
export function scheduleDemoMoveOut(
  gw: Gateway,
  issuer: SimRosterIssuer,
  sim: EstateSimulation,
  estate: SimEstate,
  log: Logger,
): () => void {
  const readers = gw.config.readers.filter(
    (r) => (r.driver ?? 'mqtt-v1') === 'mqtt-v1' && r.direction === 'in',
  );
  const person = estate.persons.find(
    (p) => p.kind === 'resident' && p.facePersonId && readers.some((r) => r.door === p.homeDoors[0]),
  );
  const reader = readers.find((r) => r.door === person?.homeDoors[0]);
  let timer: NodeJS.Timeout | undefined;
  let look: NodeJS.Timeout | undefined;
  if (!person?.residentId || !reader) return () => {};
  const residentId = person.residentId;
  timer = setTimeout(() => {
    const t0 = Date.now();
    const delta = issuer.moveOut(residentId);
    const version = delta.payload.version;
    console.log(
      `demo: resident ${residentId} (household ${person.householdId}) moves out at the district system — signed roster delta ${version}`,
    );
    look = setInterval(() => {
      if ((gw.rosterSync?.status().version ?? 0) < version) return;
      clearInterval(look);
      console.log(
        `demo: the gateway verified and applied roster ${version} ${Date.now() - t0} ms after the move-out`,
      );
      gw.live.on('entry', function seen(e) {
        if (e.residentId !== residentId) return;
        gw.live.off('entry', seen);
        console.log(
          `demo: ${residentId} shows a face at ${reader.id}: ${e.outcome} (${e.reasons.join(' ')}), ${Date.now() - t0} ms after the move-out upstream`,
        );
      });
      if (!sim.presentNow(person.id, reader.id)) log.warn({ residentId }, 'demo move-out: could not present');
    }, LOOK_EVERY_MS);
    look.unref();
  }, MOVE_OUT_AFTER_MS);
  timer.unref();
  return () => {
    clearTimeout(timer);
    clearInterval(look);
    timer = undefined;
  };
}
