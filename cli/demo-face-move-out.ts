import type { Logger } from 'pino';
import type { Gateway } from '../gateway/gateway.js';
import type { SimFaceLibrary } from '../sim/face-library.js';

/** How long the demo waits for the terminals' libraries before it shows a move-out. */
const WAIT_MS = 120_000;

/**
 * The demo's move-out from the face terminals (issue 11): once a resident is enrolled on
 * every simulated face terminal that keeps a library (the ZKTeco, mqtt-face and v1
 * terminals at one entrance), the resident moves out — a roster change, made by `moveOut`
 * (at the simulated district system, so a signed delta the gateway pulls; or in the store
 * when the roster is not synced) — and the demo prints how long each terminal took to delete
 * them, from the change. Only ids and times are printed, never a name or a photo.
 */
export async function demoFaceMoveOut(
  gw: Gateway,
  libraries: ReadonlyMap<string, SimFaceLibrary>,
  log: Logger,
  moveOut: (residentId: string) => string,
  delayMs = 15_000,
): Promise<string | null> {
  if (libraries.size === 0) return null;
  await new Promise((r) => setTimeout(r, delayMs).unref());
  const libs = [...libraries];
  const common = (): string | undefined => {
    const [first, ...rest] = libs;
    // The last one: issue 14's walkthrough (demo-move-out.ts) moves the first resident of a door out.
    return first?.[1]
      .ids()
      .reverse()
      .find((id) => rest.every(([, l]) => l.has(id)));
  };
  const t0 = Date.now();
  let key = common();
  while (!key && Date.now() - t0 < WAIT_MS) {
    // Woken by the next enrolment on any terminal, not by a timer.
    await Promise.race(
      libs.map(([, l]) => l.expect((c) => c.op === 'upsert', WAIT_MS).catch(() => undefined)),
    );
    key = common();
  }
  if (!key) {
    log.warn(
      { terminals: libs.map(([id]) => id) },
      'demo: no resident enrolled on every face terminal; no move-out shown',
    );
    return null;
  }
  const row = gw.db
    .prepare(`SELECT resident_id AS id FROM credentials WHERE kind = 'face' AND key = ?`)
    .get(key) as { id: string } | undefined;
  if (!row) return null;
  const changed = Date.now();
  const how = moveOut(row.id);
  console.log(
    `demo: resident ${row.id} moved out (${how}); deleting face ${key} from ${libs.map(([id]) => id).join(', ')}`,
  );
  const times = await Promise.all(
    libs.map(async ([id, l]) => {
      await l.gone(key, 60_000);
      return `${id} ${((Date.now() - changed) / 1000).toFixed(1)} s`;
    }),
  );
  const line = `demo: moved-out resident ${row.id} deleted from every face terminal within ${((Date.now() - changed) / 1000).toFixed(1)} s (${times.join(', ')})`;
  console.log(line);
  return line;
}
