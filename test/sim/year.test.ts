import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { score } from '../../bench/eval-score.js';
import { importDuringReplay, REPLAY_UNTIL } from '../../cli/replay.js';
import { replayFile } from '../../gateway/replay/replay.js';
import { generateYear } from '../../sim/year/generate.js';
import type { Labels } from '../../sim/year/labels.js';
import { defaultParams } from '../../sim/year/params.js';
import { tmpDir } from '../../testkit/tmp.js';
import { openYear } from './replay-year.js';

const sha = (f: string) => createHash('sha1').update(readFileSync(f)).digest('hex');

t.test('sim year is deterministic for its options and labels what it plants', async (t) => {
  const a = tmpDir('year-a-');
  const b = tmpDir('year-b-');
  const c = tmpDir('year-c-');
  t.teardown(() => {
    for (const x of [a, b, c]) x.cleanup();
  });
  const o = { households: 120, seed: 5, start: '2025-03-01', days: 40 };
  const la = generateYear({ ...o, out: a.dir });
  generateYear({ ...o, out: b.dir });
  generateYear({ ...o, seed: 6, out: c.dir });
  for (const f of ['reads.jsonl', 'labels.json', 'roster.json', 'config.yaml'])
    t.equal(sha(path.join(a.dir, f)), sha(path.join(b.dir, f)), `${f} is the same for the same seed`);
  t.not(
    sha(path.join(a.dir, 'reads.jsonl')),
    sha(path.join(c.dir, 'reads.jsonl')),
    'another seed, another year',
  );
  const scenarios = new Set(la.cases.map((x) => x.scenario));
  for (const s of [
    'sublet_card',
    'overcrowding',
    'lent_card',
    'long_absence_hospital',
    'long_absence_travel',
  ])
    t.ok(scenarios.has(s as never), `plants ${s}`);
  t.ok(
    la.negatives.some((n) => n.scenario === 'relatives_with_pass'),
    'and hard negatives',
  );
  const lines = readFileSync(path.join(a.dir, 'reads.jsonl'), 'utf8').trim().split('\n');
  t.equal(lines.length, la.reads);
  const first = JSON.parse(lines[0] as string);
  t.ok(
    first.reader && first.id && first.ts && first.offline === true,
    'reader protocol v1 events with a reader id',
  );
  t.ok(
    lines.some((l) => l.startsWith('{"pass"')),
    'passes the simulator registers',
  );
});

t.test('replay pushes a labelled year through the pipeline and finds what was planted', async (t) => {
  const { dir, cleanup } = tmpDir('year-r-');
  t.teardown(cleanup);
  const labels: Labels = generateYear({ households: 150, seed: 11, start: '2025-03-01', days: 80, out: dir });
  const { gw, clock } = await openYear(dir);
  await gw.start(REPLAY_UNTIL);
  const stats = await replayFile(gw, clock, path.join(dir, 'reads.jsonl'));
  t.equal(stats.failed, 0);
  t.equal(stats.rejected, 0);
  t.equal(stats.reads + stats.passes, labels.reads);
  t.equal(
    gw.db.prepare('SELECT count(*) FROM journal').pluck().get(),
    stats.reads,
    'every read recorded once',
  );
  t.equal(
    gw.db.prepare('SELECT count(*) FROM decisions WHERE answer IS NOT NULL').pluck().get(),
    0,
    'nobody answered',
  );
  const cases = gw.db
    .prepare(
      `SELECT c.kind, c.household_id AS householdId, a.door_id AS doorId, c.detected_ts AS detectedTs
         FROM cases c LEFT JOIN alerts a ON a.id = c.alert_id`,
    )
    .all() as never[];
  const s = score(labels, cases, ['suspected_sublet', 'overcrowding', 'credential_shared']);
  // An overcrowded flat whose family left, with no more of its occupants seen than a small
  // household (margin + 1), is one situation and raised as one kind: a sublet (its label
  // expects both). It must be found as the one or the other.
  const found = (kind: string, hid: string, start: string) =>
    (cases as Array<{ kind: string; householdId: string; detectedTs: number }>).some(
      (c) => c.kind === kind && c.householdId === hid && c.detectedTs >= Date.parse(start),
    );
  for (const p of labels.cases.filter((c) => c.scenario === 'overcrowding'))
    t.ok(
      found('overcrowding', p.householdId, p.start) ||
        (p.kinds.includes('suspected_sublet') && found('suspected_sublet', p.householdId, p.start)),
      `overcrowded ${p.householdId}: found as overcrowding, or as the sublet of a family that left`,
    );
  for (const k of s) {
    t.ok(k.labelled > 0, `${k.kind}: planted`);
    if (k.kind !== 'overcrowding') t.equal(k.recall, 1, `${k.kind}: every planted case found`);
    t.equal(k.precision, 1, `${k.kind}: no false case`);
    // Issue 10's delay target is for sublets and lent cards; a flat filling up takes longer to show.
    if (k.kind !== 'overcrowding') t.ok((k.medianDelayDays ?? 99) <= 7, `${k.kind}: found within a week`);
  }
  gw.store.close();
});

t.test('roster imports inside a replayed file take effect at their time; a bad one is refused', async (t) => {
  const { dir, cleanup } = tmpDir('year-u-');
  t.teardown(cleanup);
  const params = { ...defaultParams(), rosterUpdates: 1, moveIns: 0.3, moveOuts: 0.2 };
  generateYear({ households: 60, seed: 21, start: '2025-03-01', days: 60, out: dir, params });
  const file = path.join(dir, 'reads.jsonl');
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const merges = lines.filter((l) => l.startsWith('{"roster"')).length;
  t.ok(merges > 0, 'the year carries the roster as it changes');
  // A broken import in the middle of the year: refused, the roster before it kept.
  lines.splice(lines.length >> 1, 0, JSON.stringify({ roster: { households: 'x' }, mode: 'merge' }));
  writeFileSync(file, `${lines.join('\n')}\n`);
  const { gw, clock } = await openYear(dir);
  const before = gw.db.prepare("SELECT count(*) FROM households WHERE status = 'active'").pluck().get();
  await gw.start(REPLAY_UNTIL);
  const problems: string[][] = [];
  const stats = await replayFile(
    {
      pipeline: gw.pipeline,
      passes: gw.passes,
      importRoster: (json, mode, ts) => importDuringReplay(gw, json, mode, ts),
    },
    clock,
    file,
    undefined,
    (p) => problems.push(p),
  );
  t.equal(stats.rosters, merges, 'every good import applied');
  t.equal(stats.rejected, 1, 'the broken one refused');
  t.equal(problems.length, 1);
  t.match(problems[0]?.join('\n'), /households/, 'saying where');
  t.equal(stats.failed, 0);
  const after = gw.db.prepare("SELECT count(*) FROM households WHERE status = 'active'").pluck().get();
  t.not(after, before, 'move-ins and move-outs reached the roster the detectors judge by');
  gw.store.close();
});
