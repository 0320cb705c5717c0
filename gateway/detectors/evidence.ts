import { label } from '../../core/codes.js';
import { iso } from '../../core/time.js';
import type { ForeignUse, HouseholdState } from './state.js';

/**
 * How the detectors name people and credentials in summaries and evidence chains: in
 * Chinese, as the operator reads them on the case page (issue 10 item 7: `unregistered
 * face #7` reads 未登记人员 #7). Never a full card number, ID number or a name.
 */

/** A credential, masked: 卡 ****B2C3, 指纹 #12. */
export function maskCred(c: string): string {
  const i = c.indexOf(':');
  const kind = c.slice(0, i);
  const key = c.slice(i + 1);
  if (kind === 'card') return `卡 ****${key.slice(-4)}`;
  if (kind === 'fingerprint') return `指纹 #${key}`;
  return label('credentialKind', kind);
}

/** A person key: 住户 H0042-1, 访客通行证 P…, 未登记人员 #7, 终端陌生人 …, or an unregistered credential. */
export function personLabel(p: string): string {
  const kind = p[0];
  const id = p.slice(2);
  if (kind === 'r') return `住户 ${id}`;
  if (kind === 'p') return `通行证 ${id}`;
  if (kind === 'c') return `未登记人员 #${id}`;
  if (kind === 'x') return `终端陌生人 ${id}`;
  // Unregistered credentials seen without a face: kind:key.
  const i = p.indexOf(':');
  const credKind = p.slice(0, i);
  if (credKind === 'card') return `未登记卡 ****${p.slice(i + 1).slice(-4)}`;
  if (credKind === 'idcard') return '未登记身份证';
  if (credKind === 'fingerprint') return `未登记指纹 #${p.slice(i + 1)}`;
  return `未登记人员 ${p}`;
}

/** The persons of a chain: who, through which credential, on how many days, first and last. */
export function personsOf(list: readonly ForeignUse[]) {
  return list.map((fu) => ({
    person: personLabel(fu.p),
    via: maskCred(fu.c),
    days: fu.d.length,
    first: iso(fu.first),
    last: iso(fu.last),
    entries: fu.s,
    thumbs: fu.t,
  }));
}

/** A local day number as YYYY-MM-DD. */
export const dateOfDay = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

/** Lodgers tied to the household by when they came, not by a credential: who, on how many days. */
export function lodgersOf(hs: HouseholdState, persons: readonly string[]) {
  return (hs.attributed ?? [])
    .filter((p) => persons.includes(p))
    .map((p) => {
      const days = hs.lodgers?.[p] ?? [];
      return {
        person: personLabel(p),
        via: '同期入住的常来人员（未使用本户凭证）',
        ...(hs.attributedWhy?.[p] ? { why: hs.attributedWhy[p] } : {}),
        days: days.length,
        first: dateOfDay(days[0] ?? 0),
        last: dateOfDay(days[days.length - 1] ?? 0),
      };
    });
}
