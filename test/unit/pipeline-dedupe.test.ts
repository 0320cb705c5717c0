import t, { type Test } from 'tap';
import type { Credential, CredentialRead } from '../../core/contracts.js';
import { hashIdNumber } from '../../core/id-number.js';
import { Journal } from '../../gateway/pipeline/journal.js';
import type { Detector, EntryContext } from '../../gateway/pipeline/pipeline.js';
import { faceRead, household, KIT_ID_KEY, pipelineKit, resident } from '../../testkit/pipeline.js';

// Issue 15: the live path asks the journal nothing before its commit; the commit's own
// INSERT OR IGNORE is the dedupe, and the check's side effects wait for it. A duplicate is
// answered as before: acknowledged and counted, never answered at the door, never a
// clock-offset sample or a person–card half, never shown to a detector.

/** Counts Journal.has calls (the per-read lookup the live path no longer makes). */
function countLookups(t: Test): () => number {
  const has = Journal.prototype.has;
  let n = 0;
  Journal.prototype.has = function (this: Journal, readerId: string, recordId: string) {
    n++;
    return has.call(this, readerId, recordId);
  };
  t.teardown(() => {
    Journal.prototype.has = has;
  });
  return () => n;
}

/** A detector that remembers every entry it is shown. */
function entries(): Detector & { seen: string[] } {
  const seen: string[] = [];
  return {
    name: 'entries',
    seen,
    onEntry(e: EntryContext) {
      seen.push(e.read.recordId);
      return [];
    },
  };
}

t.test(
  'a live duplicate of a committed read: acknowledged, counted, not answered, teaches nothing',
  async (t) => {
    const lookups = countLookups(t);
    const det = entries();
    const { pipeline: p, commands, rows, metric, devices } = pipelineKit(t, { detectors: [det] });
    const r = faceRead('T-B01', 'F1');
    await p.submit(r);
    const offset = devices.offset('T-B01')?.value;
    t.equal(commands.length, 1);
    // Sent again with its clock 5 s ahead: as a sample it would move the offset.
    const again = p.submit({ ...r, receivedAt: r.ts - 5000 });
    const fresh = faceRead('T-B01', 'F1');
    await Promise.all([again, p.submit(fresh)]);
    t.equal(rows(), 2, 'one new row');
    t.same(
      commands.map((c) => c.cmd.event),
      [r.recordId, fresh.recordId],
      'the duplicate gets no door command',
    );
    t.match(await metric('estate_gateway_duplicate_reads_total'), ['estate_gateway_duplicate_reads_total 1']);
    t.equal(devices.offset('T-B01')?.value, offset, 'no clock-offset sample from the duplicate');
    t.same(det.seen, [r.recordId, fresh.recordId], 'the detectors see each read once');
    t.equal(lookups(), 0, 'no lookup per read');
    const hist = await metric('estate_gateway_commit_rows');
    t.ok(hist.includes('estate_gateway_commit_rows_sum 2'), 'the duplicate is no row of its commit');
  },
);

t.test('a duplicate in the same turn as new reads: one commit, the duplicate set aside', async (t) => {
  const { pipeline: p, commands, rows, metric } = pipelineKit(t);
  const old = faceRead('T-B01', 'F1');
  await p.submit(old);
  const batch = [faceRead('T-B01', 'F1'), { ...old }, faceRead('T-B02', null), { ...old, offline: true }];
  const a = p.submit(batch[0] as CredentialRead);
  const b = p.submit(batch[1] as CredentialRead);
  const c = p.submit(batch[2] as CredentialRead);
  const d = p.submit(batch[3] as CredentialRead);
  t.equal(b, d, 'the second copy is the one in flight');
  await Promise.all([a, b, c, d]);
  t.equal(rows(), 3);
  t.equal(commands.length, 3, 'the two new reads answered, the old one not again');
  t.match(await metric('estate_gateway_duplicate_reads_total'), ['estate_gateway_duplicate_reads_total 2']);
});

t.test('a stale or far-future copy of a recorded read is a duplicate, not a rejection', async (t) => {
  const lookups = countLookups(t);
  const { pipeline: p, rows, metric } = pipelineKit(t);
  const r = faceRead('T-B01', 'F1');
  await p.submit(r);
  await p.submit({ ...r, ts: Date.now() + 172_800_000 });
  await p.submit({ ...r, ts: Date.now() - 172_800_000 });
  t.equal(rows(), 1);
  t.match(await metric('estate_gateway_duplicate_reads_total'), ['estate_gateway_duplicate_reads_total 2']);
  t.same(await metric('estate_gateway_rejected_total'), [], 'nothing rejected');
  t.equal(lookups(), 2, 'reads that get no row in the commit ask the journal first');
  // A new far-future read is rejected, a new stale one recorded unanswered, as before.
  await p.submit(faceRead('T-B01', 'F1', { ts: Date.now() + 172_800_000 }));
  await p.submit(faceRead('T-B01', 'F1', { ts: Date.now() - 172_800_000 }));
  t.equal(rows(), 2);
  t.match(await metric('estate_gateway_rejected_total'), [/reason="future_ts"} 1/]);
});

const ZHANG = '310101199003071230';

t.test('a duplicate card read is no person–card half: the next face is not paired with it', async (t) => {
  const {
    pipeline: p,
    commands,
    db,
  } = pipelineKit(t, {
    config: {
      doors: [{ id: 'VAULT', name: '人证门', factors: 'idcard+biometric' }],
      readers: [
        { id: 'T-VAULT', door: 'VAULT' },
        { id: 'IC-VAULT', door: 'VAULT', driver: 'idcard', options: { path: '/dev/null' } },
      ],
    },
    roster: {
      buildings: [],
      entrances: [],
      households: [household('H1', { entranceId: null })],
      residents: [resident('R1', 'H1')],
      credentials: [
        { kind: 'face', key: 'F1', residentId: 'R1' },
        { kind: 'idcard', key: hashIdNumber(KIT_ID_KEY, ZHANG), residentId: 'R1' },
      ],
    },
  });
  const at = (readerId: string, credential: Credential, ago: number): CredentialRead =>
    faceRead(readerId, null, { credential, ts: Date.now() - ago });
  const face = { type: 'face', personId: 'F1', score: 0.93, liveness: true } as const;
  const cardRead = at('IC-VAULT', { type: 'idcard', number: ZHANG, validUntil: '2035-01-01' }, 3000);
  await p.submit(cardRead);
  await p.submit(at('T-VAULT', face, 2000)); // pairs with the card: opens
  // The card sent again, then the face again: had the copy been checked, its half would
  // wait at the door and the face would pair with it and open.
  await Promise.all([p.submit({ ...cardRead }), p.submit(at('T-VAULT', face, 100))]);
  t.same(
    commands.map((c) => `${c.reader} ${c.cmd.action}`),
    ['IC-VAULT deny', 'T-VAULT unlock', 'T-VAULT deny'],
  );
  t.same(
    (db.prepare('SELECT reasons FROM decisions ORDER BY seq').pluck().all() as string[]).at(-1),
    'idcard_required',
  );
});
