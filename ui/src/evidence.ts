import { h, table } from './dom.js';
import { codeLabel, fmtTime, t } from './i18n.js';
import { photoLinks } from './upload.js';

/**
 * A case's evidence chain as the detectors, tips and patrols store it (issue 4): the
 * absence window, the persons with their counts, entries and thumbnail references, the
 * tip or patrol it came from. Every value is a reference, a count or already masked by the
 * server; each goes in as text. Keys this module does not know are shown as they are.
 */

type Json = Record<string, unknown>;

/** One person of a chain: who, through which credential, on how many days. */
interface Person {
  person: string;
  via?: string;
  days?: number;
  first?: string;
  last?: string;
  entries?: number[];
  thumbs?: string[];
}

/**
 * How cases written before issue 10 named people and credentials, in English, and how the
 * detectors name them now: `unregistered face #7` reads as 未登记人员 #7.
 */
const LEGACY: ReadonlyArray<[RegExp, string]> = [
  [/^unregistered face #(\d+)$/, '未登记人员 #$1'],
  [/^resident (.+)$/, '住户 $1'],
  [/^pass (.+)$/, '通行证 $1'],
  [/^terminal stranger (.+)$/, '终端陌生人 $1'],
  [/^card (\*{4}\w+)$/, '卡 $1'],
  [/^fingerprint (#\w+)$/, '指纹 $1'],
  [/^unregistered (.+)$/, '未登记人员 $1'],
];

/** A person or credential of a chain, in Chinese whatever version wrote it. */
export function zhName(s: string): string {
  for (const [re, to] of LEGACY) if (re.test(s)) return s.replace(re, to);
  return s;
}

/**
 * A detector's summary in Chinese: cases written before issue 10 carried an English
 * translation in brackets after the Chinese (…使用 (used by 1 other person(s))).
 */
export function zhSummary(s: string): string {
  return s
    .replace(
      /\s*\((?:used by|\d+ persons for|leaseholder absent|no verified entry|seen \d+ times)[^()]*(?:\([^()]*\)[^()]*)*\)\s*$/,
      '',
    )
    .replace(/unregistered face #(\d+)/g, '未登记人员 #$1')
    .replace(/\bcard (\*{4}\w+)/g, '卡 $1');
}

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
const isIso = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v);

/**
 * The thumbnails a chain refers to, as images the gateway serves (/api/thumbs/…); `small`
 * in a table row, where a person may bring several.
 */
export function thumbStrip(refs: readonly string[], small = false): HTMLElement {
  return h(
    'span',
    { class: 'thumbs' },
    ...refs
      .filter((r) => /^thumbs\/[\w./-]+$/.test(r) && !r.includes('..'))
      .map((r) =>
        h('img', {
          class: small ? 'thumb evidence-thumb small' : 'thumb evidence-thumb',
          src: `/api/${r}`,
          alt: t('抓拍'),
          loading: 'lazy',
        }),
      ),
  );
}

/** Labels of the chain's plain values, in the order they are shown. */
const FACTS: Array<[key: string, label: string, show?: (v: unknown) => Node | string]> = [
  ['household', '房屋', (v) => h('a', { href: `#/households/${encodeURIComponent(String(v))}` }, String(v))],
  ['building', '楼栋'],
  ['room', '房号'],
  ['person', '人员', (v) => zhName(String(v))],
  ['door', '门'],
  ['sightings', '出现次数'],
  ['windowDays', '统计天数'],
  ['first', '首次'],
  ['last', '最近'],
  ['registered', '登记人数'],
  ['seenMembers', '近期出入人数'],
  ['tiedPersons', '关联外来人员'],
  ['windowFrom', '统计起始'],
  ['credentials', '被借用凭证', (v) => strings(v).map(zhName).join('、') || '—'],
  ['channel', '举报渠道', (v) => codeLabel('tipChannel', String(v))],
  ['receivedAt', '收到时间'],
  ['content', '举报内容'],
  ['date', '巡查日期'],
  ['inspector', '巡查人'],
  ['note', '备注'],
  ['photo', '照片'],
  ['tip', '编号'],
  ['patrol', '编号'],
  // Door alarms (issue 13).
  ['doorId', '门编号'],
  ['openedAt', '开门时间'],
  ['heldOpenSeconds', '未关阈值（秒）'],
  ['reader', '设备'],
  ['at', '时间'],
  ['source', '来源', (v) => (v === 'admin' ? t('管理员宣布') : v === 'input' ? t('消防输入') : String(v))],
  ['inputs', '消防输入', (v) => strings(v).join('、') || '—'],
  ['declaredBy', '宣布人'],
  ['doorsOpened', '已开门数'],
  ['lockedSafe', '保持锁闭的门', (v) => strings(v).join('、') || '—'],
  // Issue 16: the full inspection's visits, agency and listing patrols.
  ['campaignName', '排查任务'],
  [
    'campaign',
    '排查编号',
    (v) => h('a', { href: `#/campaigns/${encodeURIComponent(String(v))}` }, String(v)),
  ],
  ['visit', '走访编号'],
  ['target', '巡查对象', (v) => codeLabel('patrolTarget', String(v))],
  ['platformLabel', '平台'],
  [
    'url',
    '链接',
    (v) =>
      /^https?:\/\//.test(String(v))
        ? h('a', { href: String(v), target: '_blank', rel: 'noopener noreferrer' }, String(v))
        : text(v),
  ],
  ['listingId', '房源编号'],
  ['price', '租金（元/月）'],
  ['listingText', '房源内容'],
  ['agency', '门店名称'],
  ['address', '门店地址'],
];
/** Keys drawn by their own section below the facts (or not at all: `platform` is shown by its label). */
const SECTIONS = new Set([
  'absence',
  'persons',
  'lodgers',
  'repeatedVisitors',
  'entries',
  'thumbs',
  'ruledOut',
  'photos',
  'unregistered',
  'platform',
]);

function text(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (isIso(v)) return fmtTime(v);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** The day of an ISO time (a person's first and last day seen). */
const day = (v: unknown) => (isIso(v) ? fmtTime(v).slice(0, 10) : text(v));

function facts(ev: Json): HTMLElement | null {
  const items: Node[] = [];
  const known = new Set(FACTS.map(([k]) => k));
  for (const [key, label, show] of FACTS) {
    if (!(key in ev)) continue;
    const v = ev[key];
    items.push(h('dt', {}, t(label)), h('dd', { 'data-key': key }, show ? show(v) : text(v)));
  }
  for (const [key, v] of Object.entries(ev))
    if (!known.has(key) && !SECTIONS.has(key)) items.push(h('dt', {}, key), h('dd', {}, text(v)));
  return items.length ? h('dl', { class: 'facts' }, ...items) : null;
}

function absence(a: Json): HTMLElement {
  return h(
    'div',
    { class: 'evidence-part', id: 'evidence-absence' },
    h('h3', {}, t('缺勤')),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t('最后核验')),
      h('dd', {}, text(a.lastSeen)),
      ...(a.lastSeenVia ? [h('dt', {}, t('核验方式')), h('dd', {}, text(a.lastSeenVia))] : []),
      ...(a.since ? [h('dt', {}, t('计算起始')), h('dd', {}, text(a.since))] : []),
      h('dt', {}, t('工作日未归')),
      h('dd', {}, text(a.workingDaysAbsent)),
      ...(a.doorQuietDays
        ? [h('dt', {}, t('门禁无记录天数（不计）')), h('dd', {}, text(a.doorQuietDays))]
        : []),
      h('dt', {}, t('住户')),
      h('dd', {}, strings(a.residents).join('、') || '—'),
    ),
  );
}

function persons(list: Person[], id = 'evidence-persons', title = '涉及人员'): HTMLElement {
  return h(
    'div',
    { class: 'evidence-part', id },
    h('h3', {}, `${t(title)} (${list.length})`),
    table([t('人员'), t('凭证'), t('天数'), t('首次'), t('最近'), t('通行记录'), t('抓拍')], list, (p) => [
      zhName(p.person),
      p.via ? zhName(p.via) : '—',
      p.days ?? '—',
      day(p.first),
      day(p.last),
      p.entries?.length ?? 0,
      thumbStrip(p.thumbs ?? [], true),
    ]),
  );
}

/** The evidence chain of a case, drawn by what it holds. */
export function evidenceChain(ev: Json): HTMLElement {
  const parts: Array<HTMLElement | null> = [facts(ev)];
  if (isObj(ev.absence)) parts.push(absence(ev.absence));
  if (Array.isArray(ev.persons))
    parts.push(persons(ev.persons.filter((p): p is Person => isObj(p) && typeof p.person === 'string')));
  // Newcomers tied to the flat by when they came, not by its credentials (issue 10).
  if (Array.isArray(ev.lodgers) && ev.lodgers.length > 0)
    parts.push(
      persons(
        ev.lodgers.filter((p): p is Person => isObj(p) && typeof p.person === 'string'),
        'evidence-lodgers',
        '同期新来的常住人员',
      ),
    );
  if (Array.isArray(ev.repeatedVisitors) && ev.repeatedVisitors.length > 0)
    parts.push(
      h(
        'div',
        { class: 'evidence-part' },
        h('h3', {}, t('重复访客')),
        table([t('访客'), t('通行证数')], ev.repeatedVisitors.filter(isObj), (r) => [
          text(r.visitor),
          text(r.passes),
        ]),
      ),
    );
  if (Array.isArray(ev.ruledOut) && ev.ruledOut.length > 0)
    parts.push(
      h(
        'div',
        { class: 'evidence-part', id: 'evidence-ruled-out' },
        h('h3', {}, t('已排除')),
        h('ul', {}, ...strings(ev.ruledOut).map((x) => h('li', {}, x))),
      ),
    );
  if (Array.isArray(ev.entries) || Array.isArray(ev.thumbs))
    parts.push(
      h(
        'div',
        { class: 'evidence-part' },
        h(
          'h3',
          {},
          // A door alarm cites no entries, only the camera's snapshot (issue 13).
          Array.isArray(ev.entries) ? `${t('通行记录')}: ${ev.entries.length}` : t('抓拍'),
        ),
        thumbStrip(strings(ev.thumbs)),
      ),
    );
  // A full-inspection visit (issue 16): the persons checked, those not registered, the photos.
  if (isObj(ev.persons)) {
    const n = ev.persons;
    parts.push(
      h(
        'div',
        { class: 'evidence-part', id: 'evidence-people' },
        h('h3', {}, t('人员核查')),
        h(
          'p',
          {},
          `${t('登记人员')} ${text(n.registered)} · ${t('在住')} ${text(n.present)} · ${t('不在')} ${text(n.absent)} · ${t('未登记人员')} ${text(n.unregistered)}`,
        ),
        Array.isArray(ev.unregistered) && ev.unregistered.length
          ? table([t('姓名'), t('身份证'), t('关系')], ev.unregistered.filter(isObj), (u) => [
              text(u.name),
              text(u.id),
              text(u.relation),
            ])
          : null,
      ),
    );
  }
  if (Array.isArray(ev.photos) && ev.photos.length)
    parts.push(
      h(
        'div',
        { class: 'evidence-part', id: 'evidence-photos' },
        h('h3', {}, t('照片')),
        photoLinks(
          strings(ev.photos)
            .filter((id) => /^ev-[0-9a-z]{20}$/.test(id))
            .map((id) => ({ id, url: `/api/evidence/${id}`, thumbUrl: `/api/evidence/${id}/thumb` })),
        ),
      ),
    );
  const shown = parts.filter((p): p is HTMLElement => p !== null);
  return h(
    'div',
    { class: 'evidence', id: 'evidence-chain' },
    ...(shown.length ? shown : [h('p', { class: 'muted' }, t('暂无证据'))]),
  );
}
