import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import t from 'tap';
import { ManualClock } from '../../core/clock.js';
import { localDate } from '../../core/time.js';
import { build } from '../../gateway/build.js';
import { createLogger } from '../../gateway/log.js';
import { saveRoster } from '../../gateway/roster/repository.js';
import { loaded } from '../../testkit/config.js';
import { TEST_ROSTER, writeTestSecrets } from '../../testkit/gateway.js';
import { tmpDir } from '../../testkit/tmp.js';

/** Issue 9 item 7: every table of personal data has a retention; open cases keep their evidence. */

const DAY = 86_400_000;
const hex = (n: number) => n.toString(16).padStart(20, '0');

t.test('daily retention on a manual clock: each table to its setting, open cases kept', async (t) => {
  const { dir, cleanup } = tmpDir('ret-');
  t.teardown(cleanup);
  writeTestSecrets(dir);
  const clock = new ManualClock();
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(c: Buffer, _e, cb) {
      for (const l of c.toString().split('\n')) if (l) logs.push(JSON.parse(l));
      cb();
    },
  });
  const gw = build(loaded(dir), { log: createLogger({ level: 'info', destination: sink }), clock });
  t.teardown(() => gw.stop());
  await gw.open();
  const now = clock.now();
  const db = gw.db;
  saveRoster(db, TEST_ROSTER, 'merge', now, 'test-1');
  await gw.start();
  const ago = (days: number) => now - days * DAY;
  const ins = (sql: string, ...p: unknown[]) => db.prepare(sql).run(...p);

  // Journal: two old entries (one is evidence of an open case), one recent.
  const thumbs: Record<number, string> = {};
  for (const [seq, days] of [
    [1, 500],
    [2, 500],
    [3, 10],
  ] as const) {
    thumbs[seq] = `thumbs/${localDate(ago(days))}/${hex(seq)}.webp`;
    mkdirSync(path.join(dir, path.dirname(thumbs[seq] as string)), { recursive: true });
    writeFileSync(path.join(dir, thumbs[seq] as string), 'img');
    ins(
      `INSERT INTO journal(seq, reader_id, record_id, door_id, direction, ts, reader_ts, received_at, type, offline, stale, thumb)
       VALUES (?, 'T-B01', ?, 'B01-U1', 'in', ?, ?, ?, 'face', 0, 0, ?)`,
      seq,
      `r${seq}`,
      ago(days),
      ago(days),
      ago(days),
      thumbs[seq],
    );
    ins(
      "INSERT INTO decisions(seq, outcome, policy, reasons) VALUES (?, 'denied', 'enforce', 'stranger')",
      seq,
    );
  }
  // Alerts: an old one whose case is open (cites entry 1), an old one with no case.
  const alert = (id: string, days: number) =>
    ins(
      `INSERT INTO alerts(id, kind, severity, first_ts, last_ts, count, evidence, created_at, updated_at)
       VALUES (?, 'stranger', 'warning', ?, ?, 1, '{}', ?, ?)`,
      id,
      ago(days),
      ago(days),
      ago(days),
      ago(days),
    );
  alert('al-open', 500);
  alert('al-old', 500);
  ins("INSERT INTO alert_entries(alert_id, seq) VALUES ('al-open', 1), ('al-old', 2)");
  const kase = (id: string, state: string, days: number, alertId: string | null, household: string | null) =>
    ins(
      `INSERT INTO cases(id, kind, source, state, household_id, alert_id, detected_ts, last_ts, summary, evidence, created_at, updated_at)
       VALUES (?, 'stranger', 'detector', ?, ?, ?, ?, ?, 's', ?, ?, ?)`,
      id,
      state,
      household,
      alertId,
      ago(days),
      ago(days),
      JSON.stringify({ thumbs: alertId ? [thumbs[1]] : [] }),
      ago(days),
      ago(days),
    );
  kase('cs-open', 'acknowledged', 1500, 'al-open', 'H1');
  kase('cs-closed-old', 'closed', 1200, null, 'H2');
  kase('cs-closed-new', 'closed', 400, null, 'H2');
  ins(
    "INSERT INTO case_events(case_id, state, actor, at) VALUES ('cs-closed-old', 'closed', 'op', ?)",
    ago(1200),
  );
  // Its signed hand-over archive (issue 14) may hold faces: it goes with the case.
  ins(
    `INSERT INTO handover_packages(case_id, package_id, created_at, sha256, bytes, key_id, archive)
     VALUES ('cs-closed-old', 'pk-old', ?, 'x', 3, 'k', x'504b03')`,
    ago(1200),
  );
  // Tips and patrols: old ones of the open case stay, other old ones go.
  const tip = (id: string, caseId: string | null, days: number) =>
    ins(
      `INSERT INTO tips(id, received_at, channel, household_id, kind, content, case_id, created_by, created_at)
       VALUES (?, ?, 'phone', 'H1', 'suspected_sublet', '邻居王先生说…', ?, 'op', ?)`,
      id,
      ago(days),
      caseId,
      ago(days),
    );
  tip('tp-open', 'cs-open', 1500);
  tip('tp-old', 'cs-closed-old', 1200);
  tip('tp-new', 'cs-closed-new', 400);
  const patrol = (id: string, caseId: string | null, days: number) =>
    ins(
      `INSERT INTO patrols(id, date, inspector, household_id, result, case_id, created_by, created_at)
       VALUES (?, '2022-01-01', '李', 'H1', 'normal', ?, 'op', ?)`,
      id,
      caseId,
      ago(days),
    );
  patrol('pt-open', 'cs-open', 1500);
  patrol('pt-old', null, 1200);
  patrol('pt-new', null, 1000);
  // Passes: one expired 100 days ago, one 10 days ago, one revoked 95 days ago.
  const pass = (id: string, to: number, revoked: number | null) =>
    ins(
      `INSERT INTO passes(id, kind, household_id, name, valid_from, valid_to, created_by, created_at, revoked_at)
       VALUES (?, 'visitor', 'H1', '访客甲', ?, ?, 'op', ?, ?)`,
      id,
      to - DAY,
      to,
      to - DAY,
      revoked,
    );
  pass('ps-old', ago(100), null);
  pass('ps-new', ago(10), null);
  pass('ps-revoked', now + 30 * DAY, ago(95));
  // Audit: four years old, one year old.
  ins("INSERT INTO audit(ts, actor, action) VALUES (?, 'op', 'household.view')", ago(4 * 365));
  ins("INSERT INTO audit(ts, actor, action) VALUES (?, 'op', 'household.view')", ago(365));
  // Residents: R00002 of H1 moved out (H1 has an open case); one of H2 moved out 200 days ago.
  ins(
    `INSERT INTO residents(id, household_id, role, name, status, updated_at) VALUES ('R9', 'H2', 'co_resident', '赵六', 'active', ?)`,
    ago(300),
  );
  ins(
    "INSERT INTO credentials(kind, key, resident_id) VALUES ('fingerprint', '7', 'R9'), ('card', 'AB12', 'R9')",
  );
  ins(
    "INSERT INTO fingerprint_templates(template_id, resident_id, template, updated_at) VALUES ('7', 'R9', x'00', 0)",
  );
  ins("UPDATE residents SET status = 'moved_out', updated_at = ? WHERE id = 'R9'", ago(200));
  ins("UPDATE residents SET moved_out_at = ? WHERE id = 'R00002'", ago(400));
  // A roster import that re-sends R9 as moved out does not restart its clock.
  ins("UPDATE residents SET updated_at = ? WHERE id = 'R9'", now);

  const counts = await gw.housekeeping.dailyRetention();
  t.match(counts, {
    journal: 1,
    thumbnailDays: 0,
    alerts: 1,
    audit: 1,
    cases: 1,
    tips: 1,
    patrols: 1,
    passes: 2,
    residents: 1,
  });
  const ids = (sql: string) => db.prepare(sql).pluck().all();
  t.same(ids('SELECT seq FROM journal ORDER BY seq'), [1, 3], 'entry 1 is evidence of an open case');
  t.same(ids('SELECT seq FROM decisions ORDER BY seq'), [1, 3]);
  t.ok(existsSync(path.join(dir, thumbs[1] as string)), 'the open case’s thumbnail stays');
  t.notOk(existsSync(path.join(dir, thumbs[2] as string)), 'another old thumbnail is gone');
  t.ok(existsSync(path.join(dir, thumbs[3] as string)), 'a recent thumbnail stays');
  t.same(ids('SELECT id FROM alerts ORDER BY id'), ['al-open']);
  t.same(ids('SELECT alert_id FROM alert_entries'), ['al-open']);
  t.same(
    ids('SELECT id FROM cases ORDER BY id'),
    ['cs-closed-new', 'cs-open'],
    'open cases are never deleted',
  );
  t.same(ids("SELECT count(*) FROM case_events WHERE case_id = 'cs-closed-old'"), [0]);
  t.same(ids('SELECT count(*) FROM handover_packages'), [0], 'and its hand-over archive');
  t.same(ids('SELECT id FROM tips ORDER BY id'), ['tp-new', 'tp-open']);
  t.same(ids('SELECT id FROM patrols ORDER BY id'), ['pt-new', 'pt-open']);
  t.same(ids('SELECT id FROM passes ORDER BY id'), ['ps-new']);
  t.same(ids("SELECT action FROM audit WHERE action != 'retention.run'"), ['household.view']);
  t.same(ids("SELECT id FROM residents WHERE status = 'moved_out' ORDER BY id"), ['R00002'], 'R9 is gone');
  t.same(ids("SELECT count(*) FROM credentials WHERE resident_id = 'R9'"), [0], 'with its credentials');
  t.same(ids("SELECT count(*) FROM fingerprint_templates WHERE resident_id = 'R9'"), [0], 'and fingerprint');
  t.match(
    db.prepare("SELECT actor, detail FROM audit WHERE action = 'retention.run'").get(),
    { actor: 'system', detail: /"residents":1/ },
    'the run is audited with its counts',
  );
  t.ok(
    logs.some((l) => l.msg === 'retention applied'),
    'and logged',
  );
  t.notOk(JSON.stringify(logs).includes('赵六'), 'no name in the logs');

  t.equal(
    await gw.housekeeping.dailyRetention(),
    null,
    'once a day: a second check the same day does nothing',
  );

  // The case closes; a day later its evidence is past its own periods and goes too.
  ins("UPDATE cases SET state = 'closed', updated_at = ? WHERE id = 'cs-open'", now);
  clock.advance(DAY);
  const next = await gw.housekeeping.dailyRetention();
  t.match(next, { journal: 1, alerts: 1, tips: 1, patrols: 1, residents: 1, cases: 0 });
  t.notOk(existsSync(path.join(dir, thumbs[1] as string)), 'its thumbnail goes');
  t.same(
    ids('SELECT id FROM cases ORDER BY id'),
    ['cs-closed-new', 'cs-open'],
    'the case itself is kept 3 years',
  );
  // Nothing is deleted before its time: the settings' edges.
  t.same(ids('SELECT id FROM passes'), ['ps-new']);
  clock.advance(79 * DAY);
  t.match(await gw.housekeeping.dailyRetention(), { passes: 0 }, '89 days after expiry the pass stays');
  clock.advance(2 * DAY);
  t.match(await gw.housekeeping.dailyRetention(), { passes: 1 }, '91 days after, it goes');
});
