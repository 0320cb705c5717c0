import { DAY_MS, dayOf } from '../../core/time.js';
import type { ResidentRef } from '../roster/roster-index.js';
import { KEEP_USE } from './carriers.js';
import { dateOfDay, lodgersOf, maskCred, personLabel, personsOf } from './evidence.js';
import type { Judging } from './judging.js';
import { FACED_KEEP, type ForeignUse } from './state.js';
import { dayOfDate, lastSeenOf, membersOn, pendingMembers } from './windows.js';

const WHY = {
  learnt: '自首次使用起随卡出现',
  face_first: '刷脸未识别后刷本人卡',
  enrolled: '操作员已确认',
} as const;

/**
 * Days of the week before a new face came on which the owner used their card, for it to be
 * a card in regular use: a week without it is then unusual (at 3 days of 7, about one week
 * in fifty).
 */
const REGULAR_USE = 3;
/**
 * A card that changed hands is still in the other's: used by it within this many days. A
 * guest whose visit is over (issue 10: holiday guests given the card for four days over
 * Qingming while the host came and went by face) has handed nothing over. Asked before the
 * lent card is reported, not after: a friend's quiet days do not end the situation.
 */
const STILL_HELD = 2;

/** Local days on which any of `residents` was seen: their own face recognised, their cards used by them. */
export function presenceDays(j: Judging, residents: readonly ResidentRef[]): Set<number> {
  const out = new Set<number>();
  for (const r of residents) {
    for (const d of j.hs.faced?.[r.id] ?? []) out.add(d);
    for (const [cred] of j.ctx.carriers.ofOwner(r.id))
      for (const d of j.ctx.carriers.ownerUse(cred)) out.add(d);
  }
  return out;
}

/**
 * When nobody registered to the household was seen on `day` though they had been before
 * (issue 10, 77921 H0376: holiday guests given the card while the whole family was away over
 * the Spring Festival), the last day of that absence — the day before anyone was next seen,
 * or the judged day if nobody has been since. `day` itself otherwise, and when the record of
 * their days does not reach back before it (the oldest face days and card uses are dropped).
 * While everyone is away the owner's not using the card says nothing about whether it was lent.
 */
export function awayThrough(j: Judging, day: number): number {
  const { ctx, h, hs, span, t } = j;
  const members = membersOn(ctx.roster.members(h.id), span, t.today);
  let before = false;
  let next = Number.POSITIVE_INFINITY;
  for (const m of members) {
    const faced = hs.faced?.[m.id] ?? [];
    if (faced.length >= FACED_KEEP && (faced[0] as number) >= day) return day;
    for (const [cred] of ctx.carriers.ofOwner(m.id)) {
      const own = ctx.carriers.ownerUse(cred);
      const latest = own[own.length - 1];
      if (latest !== undefined && latest - day >= KEEP_USE && (own[0] as number) >= day) return day;
    }
  }
  for (const d of presenceDays(j, members)) {
    if (d < day) before = true;
    else if (d < next) next = d;
  }
  if (!before || next === day) return day;
  return Math.max(day, Math.min(next - 1, t.today));
}

/** Most uses within any `span` consecutive days of an ascending list of days. */
export function densest(days: readonly number[], span: number): number {
  let best = 0;
  let i = 0;
  for (let k = 0; k < days.length; k++) {
    while ((days[k] as number) - (days[i] as number) >= span) i++;
    best = Math.max(best, k - i + 1);
  }
  return best;
}

/**
 * The foreign uses of a household's credentials that count on `today`: those that used
 * them since `fromDay`, less the faces most likely to be members registered to come later
 * (issue 10: members living there before they are registered) — one per such member, the
 * most frequent first. `hostsLeft`: the last day anyone registered was seen, when the
 * household has gone (a face that came after it has nobody to visit: no guest).
 */
export function countedForeign(
  j: Judging,
  fromDay: number,
  hostsLeft?: number,
): { uses: ForeignUse[]; tolerated: ForeignUse[]; guests: ForeignUse[] } {
  const { ctx, h, hs, span, t } = j;
  const cs = ctx.cfg.credentialShared;
  const guestDays = cs.guestDays;
  // Guests over the holidays stay days, not weeks (issue 10): a face first seen in a guest
  // season counts once it has kept coming for longer than a visit lasts. Since it arrived —
  // first seen at a door, or its first use of the card — not its first day still in the
  // window: a guest's last days must not count as a new face a month later, when the
  // season's days have aged out, nor a guest let in by the family who takes the card later.
  const arrived = (fu: ForeignUse) =>
    Math.min(dayOf(fu.first), ctx.firstSeen(fu.p) ?? Number.POSITIVE_INFINITY);
  // A guest is given the card of a family that keeps using it. A card its owner (or the
  // face learnt as its holder) used on several days of the week before the face first did
  // and on none since, for denseDays, while the owner still comes and goes without it, has
  // changed hands: lent. An owner who seldom swipes their card (the face terminal serves
  // them) tells nothing, nor one away over the holiday while a guest minds the flat.
  // `before`: the days before the face came in which the owner's regular use is looked for.
  const handedOver = (fu: ForeignUse) => {
    const first = dayOf(fu.first);
    // Nobody to visit: it came after everyone registered left, and uses the card itself —
    // unless they left over the Spring Festival, when families travel home for a week or
    // two and a relative minds the flat with its card: that one is a guest until it stays
    // longer than a visit lasts.
    if (hostsLeft !== undefined && arrived(fu) > hostsLeft && !ctx.guests.homecoming(hostsLeft)) {
      if (fu.d.filter((d) => d > hostsLeft).length >= ctx.cfg.suspectedSublet.minDays) return true;
    }
    const owner = ctx.carriers.models.get(fu.c)?.owner;
    const seen = owner === undefined ? undefined : hs.seen[owner];
    if (seen === undefined || dayOf(seen) <= first || owner === undefined) return false;
    // The owner came and went without it, on several days while the face had the card: a
    // family that gives a guest the card and leaves for the Spring Festival a day or two
    // later (issue 10) has not lent it, nor has one back from the trip after the guest left.
    // Counted from the household's return when the face came while all of it was away: the
    // days nobody was home are no days the owner did without the card.
    const from = awayThrough(j, first);
    const faced = hs.faced?.[owner] ?? [];
    if (faced.filter((d) => d > from && d <= dayOf(fu.last)).length < REGULAR_USE) return false;
    const own = ctx.carriers.ownerUse(fu.c);
    const used = own.filter((d) => d < first && d >= first - cs.denseDays).length;
    return (
      used >= REGULAR_USE &&
      !own.some((d) => d > first) &&
      t.today - from >= cs.denseDays &&
      (t.today - dayOf(fu.last) <= STILL_HELD || hs.fired.credential_shared !== undefined)
    );
  };
  const guest = (fu: ForeignUse) =>
    guestDays > 0 &&
    ctx.guests.holds(arrived(fu)) &&
    (fu.d[fu.d.length - 1] as number) - arrived(fu) < guestDays &&
    !handedOver(fu);
  const active = hs.foreign.filter((fu) => fu.d.some((d) => d >= fromDay));
  const guests = active.filter(guest);
  const recent = active.filter((fu) => !guest(fu));
  const pending = pendingMembers(ctx.roster.members(h.id), span, t.today).length;
  if (pending === 0 || recent.length === 0) return { uses: recent, tolerated: [], guests };
  const byPerson = new Map<string, number>();
  for (const fu of recent) byPerson.set(fu.p, (byPerson.get(fu.p) ?? 0) + fu.d.length);
  const spared = new Set(
    [...byPerson]
      .sort((a, b) => b[1] - a[1])
      .slice(0, pending)
      .map(([p]) => p),
  );
  return {
    uses: recent.filter((fu) => !spared.has(fu.p)),
    tolerated: recent.filter((fu) => spared.has(fu.p)),
    guests,
  };
}

/**
 * The last day anyone registered to the household was seen, when all of them have been gone
 * for the sublet's `absentDays` working days since (as suspected_sublet counts it); else
 * undefined. A face that came after that has nobody to visit: it is no holiday guest.
 */
export function hostsLeft(j: Judging): number | undefined {
  const { ctx, h, hs, span, t } = j;
  const members = membersOn(ctx.roster.members(h.id), span, t.today);
  if (members.length === 0) return undefined;
  const seen = lastSeenOf(hs.seen, members);
  // Never seen: nobody left (a household that has not moved in yet is absence's business).
  if (seen === undefined) return undefined;
  const last = dayOf(seen);
  return ctx.workingDays(h, last, t.today) >= ctx.cfg.suspectedSublet.absentDays ? last : undefined;
}

/**
 * What was ruled out for this household (issue 10 item 7): the faces learnt as the
 * holders of its credentials, members registered to come later, the lease and validity
 * dates that bound the window.
 */
export function ruledOut(
  j: Judging,
  tolerated: readonly ForeignUse[] = [],
  guests: readonly ForeignUse[] = [],
): string[] {
  const { ctx, h, span, t } = j;
  const notes: string[] = [];
  if (h.leaseStart && dayOfDate(h.leaseStart) >= ctx.startDay)
    notes.push(`租约起始 ${h.leaseStart}，此前不计`);
  if (h.leaseEnd && dayOfDate(h.leaseEnd) >= ctx.startDay) notes.push(`租约截止 ${h.leaseEnd}`);
  const members = ctx.roster.members(h.id);
  for (const m of members) {
    if (m.validFrom && dayOfDate(m.validFrom) > ctx.startDay && dayOfDate(m.validFrom) <= t.today)
      notes.push(`住户 ${m.id} 自 ${m.validFrom} 生效`);
    if (m.validTo && dayOfDate(m.validTo) <= t.today) notes.push(`住户 ${m.id} 于 ${m.validTo} 迁出`);
  }
  for (const m of members)
    for (const [cred, model] of ctx.carriers.ofOwner(m.id)) {
      for (const f of model.faces)
        if (f.holder)
          notes.push(
            `${maskCred(cred)} 的随卡人脸为持卡人 ${m.id} 本人（${WHY[f.holder]}，出现 ${f.days.length} 天）`,
          );
    }
  const pending = pendingMembers(members, span, t.today);
  if (pending.length > 0)
    notes.push(
      `待登记成员 ${pending.map((m) => `${m.id}（${m.validFrom} 生效）`).join('、')}：` +
        `${tolerated.length > 0 ? `其可能的人脸 ${new Set(tolerated.map((fu) => fu.p)).size} 名不计` : '无'}`,
    );
  const g = new Set(guests.map((fu) => fu.p)).size;
  if (g > 0)
    notes.push(
      `假期访客 ${g} 名：节假日期间首次使用本户门禁，持续未满 ${ctx.cfg.credentialShared.guestDays} 天不计`,
    );
  for (const fu of guests) {
    const first = dayOf(fu.first);
    const away = awayThrough(j, first);
    if (away > first)
      notes.push(
        `${personLabel(fu.p)} 于 ${dateOfDay(first)} 全户外出期间开始使用 ${maskCred(fu.c)}：` +
          `持卡人未用卡的天数自全户 ${dateOfDay(away + 1)} 返回起计，不视为借出`,
      );
  }
  return notes;
}

/**
 * credential_shared and overcrowding (issues 4 and 10): a second face on one of the
 * household's credentials on `minDays` days within `denseDays` (a relative minding the
 * flat every few days is not lending it), or several faces each on two days; more persons
 * tied to the household than its registered members plus a margin.
 */
export function useRules(j: Judging): void {
  const { ctx, h, hs, span, t, report } = j;
  const cfg = ctx.cfg;
  const cs = cfg.credentialShared;
  const csFrom = t.today - cs.windowDays + 1;
  // Everyone registered gone and a face using the card since: no guest of theirs (issue 10:
  // group renters who replaced a family in the summer waited out a guest's patience here
  // while the sublet was found in days).
  const { uses, tolerated, guests } = countedForeign(
    j,
    Math.min(csFrom, t.today - cfg.overcrowding.windowDays + 1),
    hostsLeft(j),
  );
  const inWindow = (fu: ForeignUse, from: number) => fu.d.filter((d) => d >= from);
  const byCred = new Map<string, ForeignUse[]>();
  for (const fu of uses) {
    if (inWindow(fu, csFrom).length === 0) continue;
    const l = byCred.get(fu.c);
    if (l) l.push(fu);
    else byCred.set(fu.c, [fu]);
  }
  const shared: ForeignUse[] = [];
  const creds: string[] = [];
  for (const [cred, list] of byCred) {
    // A card is in one pair of hands a day: days its owner used it too are no lending (the
    // other face came through behind them, or shared it at home), several faces aside.
    const own = new Set(ctx.carriers.ownerUse(cred));
    const away = (fu: ForeignUse) => inWindow(fu, csFrom).filter((d) => !own.has(d));
    const strong = list.filter((fu) => densest(away(fu), cs.denseDays) >= cs.minDays);
    const multi = list.filter((fu) => inWindow(fu, csFrom).length >= 2);
    if (strong.length === 0 && multi.length < cs.distinctFaces) continue;
    creds.push(maskCred(cred));
    shared.push(...(strong.length > 0 ? strong : multi));
  }
  const notes = ruledOut(j, tolerated, guests);
  report(
    'credential_shared',
    shared.length > 0,
    shared.length ? Math.min(...shared.map((fu) => fu.first)) : t.ts,
    `${creds.join('、')} 被 ${new Set(shared.map((fu) => fu.p)).size} 名非本户人员使用`,
    { credentials: creds, persons: personsOf(shared), ruledOut: notes },
  );

  const oc = cfg.overcrowding;
  const ocFrom = t.today - oc.windowDays + 1;
  const members = membersOn(ctx.roster.members(h.id), span, t.today);
  const tiedDays = new Map<string, Set<number>>();
  for (const fu of uses) {
    const s = tiedDays.get(fu.p) ?? new Set<number>();
    for (const d of fu.d) if (d >= ocFrom) s.add(d);
    tiedDays.set(fu.p, s);
  }
  // Lodgers of the flat who never touched its credentials (lodgers.ts).
  for (const p of hs.attributed ?? []) {
    const s = tiedDays.get(p) ?? new Set<number>();
    for (const d of hs.lodgers?.[p] ?? []) if (d >= ocFrom) s.add(d);
    tiedDays.set(p, s);
  }
  const tied = [...tiedDays].filter(([, s]) => s.size >= oc.minDays).map(([p]) => p);
  // Overcrowded is too many people living there at once. Members count when seen since the
  // last of the others came: those who stopped coming before were replaced (a sublet,
  // judged as such), not joined.
  const together = Math.max(ocFrom, ...tied.map((p) => Math.min(...(tiedDays.get(p) as Set<number>))));
  const recent = members.filter((m) => (hs.seen[m.id] ?? -Infinity) >= t.ts - oc.windowDays * DAY_MS);
  const seenMembers = recent.filter((m) => dayOf(hs.seen[m.id] as number) >= together);
  const replaced = recent.length - seenMembers.length;
  // Others who replaced the whole household are a sublet up to a small household's worth
  // (margin + 1: a couple and a child); more of them at once is group renting.
  const total = seenMembers.length + tied.length;
  const over =
    seenMembers.length === 0 && replaced > 0
      ? tied.length > oc.margin + 1
      : total > members.length + oc.margin;
  const tiedUses = uses.filter((fu) => tied.includes(fu.p));
  report(
    'overcrowding',
    over,
    tiedUses.length ? Math.min(...tiedUses.map((fu) => fu.first)) : t.ts,
    `登记在住 ${members.length} 人，近 ${oc.windowDays} 天出入 ${total} 人（其中非登记人员 ${tied.length} 人）`,
    {
      registered: members.length,
      seenMembers: seenMembers.length,
      ...(replaced > 0 ? { replacedMembers: replaced } : {}),
      tiedPersons: tied.length,
      persons: personsOf(tiedUses),
      lodgers: lodgersOf(hs, tied),
      ruledOut: notes,
      windowFrom: dateOfDay(Math.max(ocFrom, span.from)),
    },
  );
}
