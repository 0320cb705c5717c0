import { DAY_MS, dayOf, iso } from '../../core/time.js';
import type { ResidentRef } from '../roster/roster-index.js';
import { dateOfDay, lodgersOf, maskCred, personLabel, personsOf } from './evidence.js';
import type { Judging } from './judging.js';
import { NEAR } from './lodgers.js';
import { countedForeign, presenceDays, ruledOut } from './rules-use.js';
import type { ForeignUse } from './state.js';
import { dayOfDate, lastSeenOf, membersOn, PENDING_DAYS, residentSpan } from './windows.js';

/**
 * Days among the recent ones on which the others came back the day after coming (people
 * living in a flat): a sitter's visits every few days have none.
 */
const NEXT_DAYS = 1;

/**
 * Days on which the residents were still there after a foreign face first used their
 * credentials, for that face to have shared the flat with them (a lent card, a lodger
 * beside them) rather than replaced them: a landlord's one visit to collect the rent is
 * not living there.
 */
const SHARED_DAYS = 3;

/**
 * Days before the household left within which a face first seen at the doors is new to the
 * estate (lodgers.ts asks the same of a newcomer: first seen within a week of the flat
 * emptying).
 */
const NEWCOMER_DAYS = 7;

/**
 * Share of the recent days on which faces tied to the flat by when they came alone (no
 * credential of it used, lodgers.ts) must come for them to live there: three days in five.
 */
const TIMING_DENSITY = 0.6;

/** How long and since when the residents who count have not been seen. */
interface Absence {
  residents: ResidentRef[];
  lastSeen: number | null;
  /** The last day they were seen, or the day before they began to count. */
  lastDay: number;
  /** Working days of the home door since lastDay. */
  days: number;
  /** Calendar days since lastDay on which the home door recorded nothing (outages). */
  quietDays: number;
}

const VIA: Record<string, string> = {
  face: '人脸识别',
  fingerprint: '指纹',
  idcard: '身份证',
  'card+face': '刷卡并人脸识别',
  learnt: '刷卡，随卡人脸为本人',
  'learnt-face': '人脸（与本人卡同行学习所得）',
};

/**
 * The absence of `who` on `today` (issue 10 item 3): only residents who count that day,
 * counted from the later of their own start (lease start, validFrom, the data start) and
 * their last verified presence, in working days of the home door.
 */
function absence(j: Judging, who: 'leaseholder' | 'any_member'): Absence | null {
  const { ctx, h, hs, span, t } = j;
  const members = membersOn(ctx.roster.members(h.id), span, t.today);
  const residents = who === 'leaseholder' ? members.filter((m) => m.role === 'leaseholder') : members;
  if (residents.length === 0) return null;
  const since = Math.min(...residents.map((r) => residentSpan(r, span)?.from ?? span.from));
  const lastSeen = lastSeenOf(hs.seen, residents) ?? null;
  // The data's first day is partial: it counts only from the next (a lease may start on any day).
  const floor = since > ctx.startDay ? since - 1 : ctx.startDay;
  const lastDay = Math.max(lastSeen === null ? -Infinity : dayOf(lastSeen), floor);
  const days = ctx.workingDays(h, lastDay, t.today);
  return { residents, lastSeen, lastDay, days, quietDays: t.today - lastDay - days };
}

function absenceOf(j: Judging, a: Absence) {
  const via = a.residents
    .map((r) => j.hs.via?.[r.id])
    .find((v): v is string => v !== undefined && a.lastSeen !== null);
  return {
    residents: a.residents.map((r) => r.id),
    since: dateOfDay(a.lastDay + 1),
    lastSeen: iso(a.lastSeen),
    ...(via ? { lastSeenVia: VIA[via] ?? via } : {}),
    workingDaysAbsent: a.days,
    ...(a.quietDays > 0 ? { doorQuietDays: a.quietDays } : {}),
  };
}

/**
 * suspected_sublet and leaseholder_absent (issues 4 and 10). A sublet: nobody registered
 * seen for `absentDays` working days while people tied to the household by its credentials
 * come and go as residents do — on `minDays` days, and on `density` of the recent days (a
 * relative minding the flat every few days does not live there) — or one visitor registered
 * again and again. leaseholder_absent: `days` working days without a verified entry, judged
 * at the end of a day.
 */
export function absenceRules(j: Judging): void {
  const { ctx, hs, t, report } = j;
  const sb = ctx.cfg.suspectedSublet;
  const a = absence(j, sb.who);
  // Faces by timing that visit rather than live there: said in both cases' chains.
  const visiting: string[] = [];
  if (a) {
    const gone = a.days >= sb.absentDays ? a.lastDay : undefined;
    const counted = countedForeign(j, a.lastDay + 1, gone);
    const { tolerated, guests } = counted;
    // A sublet replaces the residents. A face that came while they still lived there, and
    // kept using the card beside them for days, shares the flat or borrows the card (issue
    // 10: a lent card whose family then left for the Spring Festival): credential_shared or
    // overcrowding say so; it is no tenant who took the flat over.
    const home = presenceDays(j, a.residents);
    const daysBeside = (first: number) => {
      let n = 0;
      for (const d of home) if (d > first && d <= a.lastDay) n++;
      return n;
    };
    const beside = (fu: ForeignUse) => daysBeside(dayOf(fu.first)) >= SHARED_DAYS;
    const sharing = counted.uses.filter(beside);
    const uses = counted.uses.filter((fu) => !beside(fu));
    const presence = new Map<string, Set<number>>();
    for (const fu of uses) {
      const s = presence.get(fu.p) ?? new Set<number>();
      for (const d of fu.d) if (d > a.lastDay) s.add(d);
      presence.set(fu.p, s);
    }
    // Days a face was seen at the doors count for it when it is tied to the flat: it used
    // the credentials on two days since the household left, or it is new to the estate. A
    // regular of the entrance from before, caught once beside a swipe of the card (issue 10:
    // a sitter's swipe paired with a neighbour walking in behind), lives somewhere else.
    const tiedUses = new Map<string, number>();
    for (const [p, s] of presence) tiedUses.set(p, s.size);
    const regulars: string[] = [];
    for (const [p, n] of tiedUses) {
      const first = ctx.firstSeen(p);
      if (n < 2 && first !== undefined && first < a.lastDay - NEWCOMER_DAYS) {
        regulars.push(p);
        continue;
      }
      const s = presence.get(p) as Set<number>;
      for (const d of hs.lodgers?.[p] ?? []) if (d > a.lastDay) s.add(d);
    }
    // Lodgers who never touched a credential, tied to the flat by when they came (lodgers.ts).
    const byTiming = new Set((hs.attributed ?? []).filter((p) => !tiedUses.has(p)));
    // One that came more than a week (lodgers.ts NEAR) before the residents left, and that
    // they lived beside on days since, cannot have come with their leaving: it came with
    // others taking the flat's card up beside them, and shares the flat like a face with
    // the card beside them (above). Overcrowding says so; it took nothing over when the
    // residents went on a trip (issue 10: 82136 H0294, a face-only and an ID-card occupant
    // of an overcrowded flat, tied to it from the day the others took up its card, three
    // months before the family's trip). One that came days before they left for good is
    // a tenant moving in as they move out.
    const joined = new Set<string>();
    for (const p of byTiming) {
      const first = ctx.firstSeen(p) ?? hs.lodgers?.[p]?.[0];
      if (first === undefined || a.lastDay - first <= NEAR) continue;
      const n = daysBeside(first);
      if (n < SHARED_DAYS) continue;
      joined.add(p);
      visiting.push(
        `${personLabel(p)} 自 ${dateOfDay(first)} 起出入本单元，此后登记住户仍有 ${n} 天出入：为同住，不按转租计`,
      );
    }
    for (const p of hs.attributed ?? []) {
      if (joined.has(p)) continue;
      const s = presence.get(p) ?? new Set<number>();
      for (const d of hs.lodgers?.[p] ?? []) if (d > a.lastDay) s.add(d);
      presence.set(p, s);
    }
    // A visitor registered to the household again and again (a pass renewed) who comes and
    // goes like the others below lives there (issue 10: tenants on weekly visitor passes
    // were found at the fourth pass, passRepeats, three weeks in). A relative on a pass of
    // months is registered once in the window.
    const passFrom = t.ts - sb.passWindowDays * DAY_MS;
    const passCounts = Object.entries(hs.passes).map(
      ([k, l]) => [k, l.filter((x) => x >= passFrom).length] as const,
    );
    for (const [k] of passCounts.filter(([, n]) => n >= 2))
      presence.set(`v:${k}`, new Set((hs.visits?.[k] ?? []).filter((d) => d > a.lastDay)));
    const living = [...presence].filter(([, s]) => s.size >= 2);
    const foreignDays = new Set<number>();
    for (const [, s] of living) for (const d of s) foreignDays.add(d);
    const recent = Math.min(14, t.today - a.lastDay);
    const latelyDays = [...foreignDays].filter((d) => d > t.today - recent);
    const lately = latelyDays.length;
    // Living there is coming back day after day; a relative minding the flat comes every few
    // days (issue 10: house sitters in long absences) and never two days running.
    const nextDays = latelyDays.filter((d) => foreignDays.has(d - 1)).length;
    // Faces tied to the flat only by when they first came, no credential of the household in
    // their hands, live there when they are home on most days (TIMING_DENSITY): a tenant
    // comes home nearly every day; a relative minding the flat by face every one to three
    // days comes on half of them, eight days of some fortnights (issue 10: 28327 H0281 and
    // H0084, face-only sitters every 1–3 days; H0084's came on 9 of 14 in one stretch).
    const timingOnly = living.length > 0 && living.every(([p]) => byTiming.has(p));
    const mostDays = !timingOnly || lately >= Math.ceil(TIMING_DENSITY * recent);
    const dense =
      foreignDays.size >= sb.minDays &&
      lately >= Math.max(sb.minDays, Math.ceil(sb.density * recent)) &&
      nextDays >= NEXT_DAYS;
    // Said when it is what ruled them out: they came as often as faces with the card would.
    if (dense && !mostDays)
      visiting.push(
        `${living.map(([p]) => personLabel(p)).join('、')} 未使用本户门禁，仅因登记住户离开时新来本单元而关联；近 ${recent} 天仅 ${lately} 天出入，不足五分之三：为来访照看，不计为入住`,
      );
    const visitors = new Set(living.filter(([p]) => p.startsWith('v:')).map(([p]) => p.slice(2)));
    const repeats = passCounts.filter(([, n]) => n >= sb.passRepeats);
    const lives = dense && mostDays;
    const on = a.days >= sb.absentDays && (lives || repeats.length > 0);
    const after = uses.filter((fu) => living.some(([p]) => p === fu.p));
    const users = new Set(after.map((fu) => fu.p)).size;
    const newcomers = living.length - users - visitors.size;
    // Cards of members registered months after these faces took them up (judge.ts): said,
    // for the faces were not taken for the card's owner.
    const early = new Set<string>();
    for (const fu of after) {
      const owner = ctx.roster.residents.get(ctx.carriers.models.get(fu.c)?.owner ?? '');
      if (owner?.validFrom && dayOfDate(owner.validFrom) - dayOf(fu.first) > PENDING_DAYS)
        early.add(
          `${maskCred(fu.c)} 的登记持卡人 ${owner.id} 自 ${owner.validFrom} 起才登记入住，此前随卡出现的人脸不视为其本人`,
        );
    }
    if (on || hs.fired.suspected_sublet !== undefined)
      report(
        'suspected_sublet',
        on,
        after.length ? Math.min(...after.map((fu) => fu.first)) : (a.lastSeen ?? t.ts),
        `登记住户 ${a.days} 个工作日未出入，` +
          [
            users > 0 ? `${users} 名非登记人员使用本户门禁` : '',
            newcomers > 0 ? `${newcomers} 名同期新来的非登记人员每日出入本单元` : '',
            visitors.size > 0 ? `${visitors.size} 名多次登记的访客每日出入` : '',
          ]
            .filter(Boolean)
            .join('，') +
          `（近 ${recent} 天有 ${lately} 天出入，其中 ${nextDays} 天为连续第二天）`,
        {
          absence: absenceOf(j, a),
          persons: personsOf(after),
          lodgers: lodgersOf(
            hs,
            living.map(([p]) => p),
          ),
          repeatedVisitors: passCounts
            .filter(([k, n]) => n >= sb.passRepeats || visitors.has(k))
            .map(([k, n]) => ({
              visitor: k,
              passes: n,
              ...(visitors.has(k) ? { daysSinceAbsent: presence.get(`v:${k}`)?.size ?? 0 } : {}),
            })),
          ruledOut: [
            ...ruledOut(j, tolerated, guests),
            ...regulars.map(
              (p) =>
                `${personLabel(p)} 在登记住户离开前已常在本单元出入，离开后仅 1 天随本户卡出现：为他人随行，不计为入住`,
            ),
            ...visiting,
            ...early,
            ...[...new Set(sharing.map((fu) => fu.p))].map(
              (p) =>
                `${personLabel(p)} 首次使用本户门禁后登记住户仍在住 ${SHARED_DAYS} 天以上：为借用或同住，不按转租计`,
            ),
            // One kind for one situation: the others replaced the household, not joined it.
            ...(living.length > ctx.cfg.overcrowding.margin &&
            living.length <= ctx.cfg.overcrowding.margin + 1
              ? [`非登记人员 ${living.length} 人在登记住户离开后入住，为顶替而非同住：按转租，不计超员`]
              : []),
          ],
        },
        a.residents[0]?.id ?? null,
      );
  }
  if (!t.sweep) return;
  const la = ctx.cfg.leaseholderAbsent;
  const who = absence(j, la.who);
  if (!who) return;
  const on = who.days >= la.days;
  if (!on && hs.fired.leaseholder_absent === undefined) return;
  // Reported when it starts and refreshed weekly while it lasts.
  const last = hs.fired.leaseholder_absent;
  if (on && last !== undefined && t.today - last < 7) return;
  report(
    'leaseholder_absent',
    on,
    who.lastSeen ?? t.ts,
    `${la.who === 'leaseholder' ? '承租人' : '登记住户'} ${who.days} 个工作日无核验出入记录`,
    { absence: absenceOf(j, who), ruledOut: [...ruledOut(j), ...visiting] },
    who.residents[0]?.id ?? null,
  );
}
