import { systemClock } from '../../../core/clock.js';
import { label } from '../../../core/codes.js';
import { LOCAL_OFFSET_MS } from '../../../core/time.js';
import { countsBySlot, countsSince } from '../../pipeline/journal.js';
import { listAlerts } from '../../store/queries.js';
import type { RouteModule } from '../context.js';
import * as A from '../schemas-accounts.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** Midnight (Asia/Shanghai) of the day `ts` falls in. */
export function localMidnight(ts: number): number {
  return Math.floor((ts + LOCAL_OFFSET_MS) / DAY) * DAY - LOCAL_OFFSET_MS;
}

/**
 * The overview (总览): today's entries in and out, open alerts by kind, devices, entries
 * per hour for the last 24 h, the newest findings. Each count is one indexed range scan
 * (journal_ts_direction covers ts and direction), so it stays fast with a full journal.
 */
export const overviewRoutes: RouteModule = (app, { d, present }) => {
  const clock = d.clock ?? systemClock;
  const openByKind = d.db.prepare(
    `SELECT kind, count(*) AS n FROM alerts WHERE state = 'open' GROUP BY kind ORDER BY n DESC`,
  );

  app.get('/api/overview', { schema: { response: { 200: A.OverviewReply } } }, async () => {
    const now = clock.now();
    const today = countsSince(d.db, localMidnight(now));

    // 24 whole hours ending with the current one.
    const from = Math.floor(now / HOUR) * HOUR - 23 * HOUR;
    const hours = Array.from({ length: 24 }, (_, i) => ({
      hour: new Date(from + i * HOUR).toISOString(),
      in: 0,
      out: 0,
    }));
    for (const r of countsBySlot(d.db, from, from + DAY, HOUR)) {
      const slot = hours[r.slot];
      if (slot) slot[r.direction] = r.n;
    }

    const byKind = (openByKind.all() as Array<{ kind: string; n: number }>).map((r) => ({
      key: r.kind,
      label: label('alertKind', r.kind),
      count: r.n,
    }));
    const devices = { online: 0, offline: 0, unknown: 0 };
    for (const r of d.devices.list())
      devices[r.online === null ? 'unknown' : r.online ? 'online' : 'offline']++;

    return {
      now: new Date(now).toISOString(),
      today,
      openAlerts: { total: byKind.reduce((s, k) => s + k.count, 0), byKind },
      devices,
      hourly: hours,
      newest: listAlerts(d.db, {}, 8).map((a) => {
        const p = present.alert(a);
        return {
          id: p.id,
          kind: p.kind,
          label: p.label,
          severity: p.severity,
          state: p.state,
          householdId: p.householdId,
          doorName: p.doorId ? present.doorName(p.doorId) : null,
          lastTime: p.lastTime,
          count: p.count,
        };
      }),
    };
  });
};
