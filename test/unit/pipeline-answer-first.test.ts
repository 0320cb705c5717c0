import t from 'tap';
import type { CredentialRead } from '../../core/contracts.js';
import type { Detector } from '../../gateway/pipeline/pipeline.js';
import { faceRead, pipelineKit } from '../../testkit/pipeline.js';
import { waitFor } from '../../testkit/wait.js';

// Issue 15: the door does not wait for the disk. A read's door is answered as soon as its
// rows are written in its commit's transaction, before the commit's fsync (design.md §4:
// act, then record); its acknowledgement still waits for the commit. A door whose
// store-failure policy could change the answer (closed, open) is answered after its commit,
// as before, so that no entry at a `closed` door goes unrecorded.

const DOORS = [
  { id: 'GATE', name: '大门', onStoreFailure: 'closed' },
  { id: 'B01-U1', name: '1号楼1单元', building: 'B01', entrance: 'B01-U1' },
  { id: 'B02-U1', name: '2号楼1单元', building: 'B02', entrance: 'B02-U1', onStoreFailure: 'open' },
];

/** Submits a read; `acked` holds its record id once the pipeline acknowledges it. */
function submitter(p: { submit(r: CredentialRead): Promise<void> }) {
  const acked = new Set<string>();
  return {
    acked,
    submit: (r: CredentialRead) =>
      p.submit(r).then(() => {
        acked.add(r.recordId);
      }),
  };
}

t.test(
  'a default door is answered before its commit is on disk, and journaled with that answer',
  async (t) => {
    const { pipeline: p, commands, db } = pipelineKit(t, { config: { doors: DOORS } });
    const r = faceRead('T-B01', 'F1');
    await p.submit(r);
    t.match(commands, [{ cmd: { event: r.recordId, action: 'unlock' }, writtenRows: 1, committedRows: 0 }]);
    t.match(
      db
        .prepare('SELECT d.answer FROM journal j JOIN decisions d USING (seq) WHERE j.record_id = ?')
        .get(r.recordId),
      { answer: 'unlock' },
      'journaled with the answer the door got',
    );
  },
);

t.test('a closed or open door is answered after its commit; an exit of a closed door before', async (t) => {
  const { pipeline: p, commands } = pipelineKit(t, { config: { doors: DOORS } });
  const gate = faceRead('T-GATE', 'F1');
  const open = faceRead('T-B02', 'F1');
  const leaving = faceRead('T-GATE-OUT', 'F1');
  await Promise.all([p.submit(gate), p.submit(open), p.submit(leaving)]);
  const at = (r: CredentialRead) => commands.find((c) => c.cmd.event === r.recordId);
  t.match(at(gate), { committedRows: 3 }, 'closed: after the commit, nothing unrecorded');
  t.match(at(open), { committedRows: 3 }, 'open: after the commit');
  t.match(at(leaving), { writtenRows: 3, committedRows: 0 }, 'an exit never changes its answer: first');
  t.equal(commands.length, 3, 'each answered once');
});

t.test(
  'a commit that fails after its doors were answered: not answered again, held, journaled on recovery',
  async (t) => {
    // A detector that meets an I/O error while `failing`: the transaction rolls back after
    // the read's rows were written and its door answered, as an fsync error at COMMIT would.
    let failing = true;
    const io: Detector = {
      name: 'io',
      onEntry() {
        if (failing) throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
        return [];
      },
    };
    const {
      pipeline: p,
      commands,
      rows,
      metric,
    } = pipelineKit(t, {
      config: { doors: DOORS },
      detectors: [io],
    });
    const s = submitter(p);
    const r = faceRead('T-B01', 'F1');
    const done = s.submit(r);
    await waitFor(() => p.store.state === 'failed', 2000, 'the failed state');
    t.equal(commands.length, 1, 'the resident was let in');
    t.equal(rows(), 0, 'nothing on disk');
    t.notOk(s.acked.has(r.recordId), 'not acknowledged');
    t.match(p.store, { state: 'failed', held: 1, answered: 1 }, 'held, counted as answered without a commit');
    t.match(await metric('estate_gateway_store_failure_answers_total'), [
      'estate_gateway_store_failure_answers_total{policy="memory"} 1',
    ]);
    // The broker delivers it again while it is held: the one in flight, not answered again.
    const again = p.submit({ ...r, receivedAt: Date.now() });
    failing = false;
    await Promise.all([done, again]);
    t.equal(rows(), 1, 'journaled once the store takes it');
    t.equal(commands.length, 1, 'and never answered a second time');
    t.ok(s.acked.has(r.recordId), 'acknowledged once on disk');
    t.match(p.store, { state: 'ok', held: 0 });
  },
);
