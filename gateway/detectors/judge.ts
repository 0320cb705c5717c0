import type { PassIndex } from '../passes/pass-index.js';
import type { ResidentRef, RosterIndex } from '../roster/roster-index.js';
import type { Carriers, Observed } from './carriers.js';
import type { FaceMoment, Judged } from './pairing.js';
import { dayOfDate, PENDING_DAYS } from './windows.js';

/** What judging needs to know of the world. */
export interface JudgeDeps {
  roster: RosterIndex;
  passes?: PassIndex;
  carriers: Carriers;
  /** Whether an unregistered face is an estate worker (seen at three entrances or more). */
  roamer(cluster: number): boolean;
  /** Days on which a resident's own face was recognised (the last 30 such days are kept). */
  faceDays(residentId: string): number;
  /** When a resident's own enrolled face was last recognised (alone or beside their card). */
  lastFace(residentId: string): number | undefined;
}

/**
 * A resident verified at one door this close to a swipe of their own card at another is
 * on the same walk (the gate, then the entrance a few minutes on): the unregistered face
 * beside the swipe is theirs, caught badly (issue 10: poor captures of enrolled faces).
 */
export const TRIP_MS = 5 * 60_000;

/** The outcome of one credential read judged with the faces around it. */
export interface Verdict {
  /** Residents whose presence this read verifies, with how. */
  present: Array<[residentId: string, via: string]>;
  /** The companion face that has just been learnt as the holder (its past uses were not foreign). */
  elected: number | null;
  /** Faces of the credential folded into another (`into`): their uses are that face's. */
  merged: { into: number; from: number[]; holder: boolean } | null;
  /** A foreign face using the credential. */
  foreign: { person: string; face: number; seq: number; thumb: string | null; cluster: number | null } | null;
}

type Role = 'owner' | 'holder' | 'member' | 'visitor' | 'other' | 'unknown';

/**
 * Who presented a card or fingerprint (issue 10 items 1 and 4). A face of the household
 * beside it — the owner's, a member's, the face learnt as the card's holder, a visitor with
 * a pass to the household — explains the read: the others are people passing or holding
 * the door, whatever the delay. Otherwise a single unregistered face is the carrier; it is
 * taught to the credential's model, which may take it for the holder (a card-only
 * resident, a poor recogniser), and otherwise it is a foreign use. A face that failed at
 * the terminal just before its owner's card is the owner: never a second face on it.
 * Several unregistered faces and none of the household: nobody can tell, nothing counts.
 */
export function judgeUse(j: Judged, owner: ResidentRef, d: JudgeDeps): Verdict {
  const hid = owner.householdId;
  const v: Verdict = { present: [], elected: null, merged: null, foreign: null };
  const role = (f: FaceMoment): Role => {
    if (f.person.startsWith('r:')) {
      const id = f.person.slice(2);
      if (id === owner.id) return f.learnt && f.emb ? 'holder' : 'owner';
      return d.roster.residents.get(id)?.householdId === hid ? 'member' : 'other';
    }
    if (f.person.startsWith('p:'))
      return d.passes?.get(f.person.slice(2))?.householdId === hid ? 'visitor' : 'other';
    if (f.emb && d.carriers.holderMatch(j.cred.cred, f.emb)) return 'holder';
    if (f.cluster !== null && d.roamer(f.cluster)) return 'other';
    return 'unknown';
  };
  const faces = [...j.before, ...j.after];
  const roles = faces.map(role);
  const day = Math.floor((j.cred.ts + 8 * 3600_000) / 86_400_000);
  const explained = roles.some((r) => r === 'owner' || r === 'holder' || r === 'member' || r === 'visitor');
  if (explained) {
    let held = false;
    faces.forEach((f, i) => {
      const r = roles[i];
      if (r === 'owner') {
        v.present.push([owner.id, 'card+face']);
        d.carriers.ownerSeen(j.cred.cred, owner.id, day);
      } else if (r === 'holder' && !held) {
        // The holder again: keep its face current (and its retention running from now).
        held = true;
        v.present.push([owner.id, 'learnt']);
        merged(
          v,
          d.carriers.observe(
            j.cred.cred,
            owner.id,
            { emb: f.emb as Float32Array, cluster: f.cluster, ts: f.ts, day, seq: f.seq, thumb: f.thumb },
            f.ts < j.cred.ts,
            0,
          ),
        );
      } else if (r === 'member') v.present.push([f.person.slice(2), 'card+face']);
    });
    return v;
  }
  // The candidates: unregistered faces with an embedding, one person however many captures.
  const unknown = faces.filter((f, i) => roles[i] === 'unknown' && f.emb !== null);
  const clusters = new Set(unknown.map((f) => f.cluster ?? -f.seq));
  if (clusters.size !== 1) return v;
  // The capture after the swipe closest to it, else the attempt before it.
  const after = unknown.filter((f) => f.ts >= j.cred.ts);
  const u = after[0] ?? (unknown[unknown.length - 1] as FaceMoment);
  const faceFirst = unknown.some((f) => f.ts < j.cred.ts);
  // The card of a member registered months from now is not in their hands yet (a newcomer
  // registers within weeks of moving in, PENDING_DAYS): no face with it is learnt as theirs,
  // as if their own face were known (issue 10: 77921 H0264, a subtenant with the card of a
  // member registered eight months later was learnt as that member and hid the sublet).
  const notYet = owner.validFrom ? dayOfDate(owner.validFrom) - day > PENDING_DAYS : false;
  const obs = d.carriers.observe(
    j.cred.cred,
    owner.id,
    { emb: u.emb as Float32Array, cluster: u.cluster, ts: u.ts, day, seq: u.seq, thumb: u.thumb },
    faceFirst,
    notYet ? Number.POSITIVE_INFINITY : d.faceDays(owner.id),
  );
  merged(v, obs);
  if (obs.face.holder !== null) {
    v.present.push([owner.id, 'learnt']);
    if (obs.elected) v.elected = obs.face.id;
    return v;
  }
  // Tried the terminal, failed, then swiped: the owner, not a second face (item 4).
  if (faceFirst) return v;
  // Recognised at the gate minutes ago: the owner on the way home, not someone else. The
  // card's model learns nothing from it (a card-only resident has no face to recognise).
  const seen = d.lastFace(owner.id);
  if (seen !== undefined && j.cred.ts - seen <= TRIP_MS && j.cred.ts >= seen) return v;
  v.foreign = { person: u.person, face: obs.face.id, seq: u.seq, thumb: u.thumb, cluster: u.cluster };
  return v;
}

function merged(v: Verdict, obs: Observed): void {
  if (obs.absorbed.length > 0)
    v.merged = { into: obs.face.id, from: obs.absorbed, holder: obs.face.holder !== null };
}
