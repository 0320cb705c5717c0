import { ApiError, api, qs } from '../api.js';
import type { Alert, AuditReply, CaseDetail } from '../api-types.js';
import { badge, card, fill, h, table } from '../dom.js';
import { evidenceTable } from '../entries.js';
import { evidenceChain, zhSummary } from '../evidence.js';
import { codeLabel, fmtTime, moveLabel, t } from '../i18n.js';
import { caseStateBadge, deadlineText, isOverdue, messageLine, place } from '../ledger.js';
import type { Page } from '../page.js';
import { photoLinks } from '../upload.js';
import { enforcementCard, feedbackForm, handoverFields } from './case-enforcement.js';

const DAY = 86_400_000;
/** The rectification period an order proposes (the operator may change it). */
const DEFAULT_RECTIFY_DAYS = 15;

/** A date input's day, in Shanghai, as the instant its last second ends. */
const endOfDay = (date: string) => new Date(`${date}T23:59:59+08:00`).toISOString();
const dayIn = (days: number) => new Date(Date.now() + 8 * 3600_000 + days * DAY).toISOString().slice(0, 10);

/** The link that downloads the hand-over package (移交材料), once the case was handed over. */
function handoverLink(c: CaseDetail): HTMLAnchorElement | null {
  if (!c.timeline.some((e) => e.state === 'handed_over')) return null;
  return h(
    'a',
    {
      id: 'handover-download',
      class: 'button',
      href: `/api/cases/${encodeURIComponent(c.id)}/handover`,
      download: `handover-${c.id}.json`,
    },
    t('下载移交材料'),
  );
}

/**
 * The signed hand-over archive (issue 14: manifest with SHA-256, the gateway's Ed25519
 * signature, the key fingerprint on its cover page), for operators and admins.
 */
function archiveLink(c: CaseDetail, canAct: boolean): HTMLAnchorElement | null {
  if (!canAct || !c.timeline.some((e) => e.state === 'handed_over')) return null;
  return h(
    'a',
    {
      id: 'handover-archive',
      class: 'button',
      href: `/api/cases/${encodeURIComponent(c.id)}/handover.zip`,
      download: `handover-${c.id}.zip`,
    },
    t('下载签名证据包'),
  );
}

/**
 * The ledger moves the case's state allows, each a button that opens a small form: the
 * note is required (it is the record of what was done), an order to rectify needs its
 * deadline. `done` gets the case as the server returns it after the move.
 */
function actions(c: CaseDetail, say: (m: string, bad?: boolean) => void, done: (c: CaseDetail) => void) {
  const slot = h('div', { class: 'case-form-slot' });
  const open = (to: string) => {
    const note = h('textarea', { name: 'note', required: true, maxlength: 2000, rows: 3, cols: 36 });
    const deadline =
      to === 'rectification_ordered'
        ? h('input', {
            type: 'date',
            name: 'deadline',
            required: true,
            min: dayIn(1),
            value: dayIn(DEFAULT_RECTIFY_DAYS),
          })
        : null;
    const handover = to === 'handed_over' ? handoverFields() : null;
    const cancel = h('button', { type: 'button' }, t('取消'));
    const form = h(
      'form',
      { id: 'case-action', class: 'stack', 'data-move': to },
      h('strong', {}, moveLabel(to)),
      h('label', { class: 'field' }, h('span', {}, t('处置说明')), note),
      deadline ? h('label', { class: 'field' }, h('span', {}, t('整改期限')), deadline) : null,
      handover?.el ?? null,
      h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('确认')), cancel),
    );
    cancel.addEventListener('click', () => fill(slot));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const body: Record<string, string> = { to, note: note.value.trim(), ...handover?.value() };
      if (deadline) body.deadline = endOfDay(deadline.value);
      try {
        const after = await api<CaseDetail>(`/api/cases/${encodeURIComponent(c.id)}/transitions`, {
          method: 'POST',
          body,
        });
        done(after);
        say(`${t('已完成')}: ${moveLabel(to)}`);
      } catch (err) {
        say(`${t('请求失败')}: ${(err as Error).message}`, true);
      }
    });
    fill(slot, form);
    note.focus();
  };
  const buttons = c.allowed.map((to) => {
    const b = h('button', { type: 'button', class: 'move', 'data-move': to }, moveLabel(to));
    b.addEventListener('click', () => open(to));
    return b;
  });
  return h(
    'div',
    { id: 'case-actions' },
    buttons.length
      ? h('div', { class: 'buttons' }, ...buttons)
      : h('p', { class: 'muted' }, codeLabel('caseState', 'closed')),
    slot,
  );
}

function timeline(c: CaseDetail): HTMLElement {
  return h(
    'ol',
    { class: 'timeline', id: 'case-timeline' },
    ...c.timeline.map((e) =>
      h(
        'li',
        { 'data-state': e.state },
        h(
          'div',
          {},
          h('time', {}, fmtTime(e.at)),
          ' ',
          badge(codeLabel('caseState', e.state), 'info'),
          ' ',
          e.actor,
        ),
        e.note ? h('p', { class: 'note' }, e.note) : null,
        e.deadline
          ? h('p', { class: 'muted' }, `${t('整改期限至')} ${fmtTime(e.deadline).slice(0, 10)}`)
          : null,
      ),
    ),
  );
}

/**
 * One case (案件): what it is and where, its evidence chain (absence window, persons and
 * their counts, entries with their thumbnails), its timeline, and — operators — the moves
 * its state allows, each with a note; the hand-over package once handed over.
 */
export const casePage: Page = {
  id: 'case',
  route: /^cases\/([^/?]+)$/,
  role: 'viewer',
  async render(root, ctx) {
    const id = ctx.params[0] ?? '';
    const canAct = ctx.session.role !== 'viewer';
    const first = await api<CaseDetail>(`/api/cases/${encodeURIComponent(id)}`);
    // The entries that raised a detector's case, with their scores and thumbnails.
    const alert = first.alertId
      ? await api<Alert>(`/api/alerts/${encodeURIComponent(first.alertId)}`).catch((err: unknown) => {
          if (err instanceof ApiError && err.status === 404) return null;
          throw err;
        })
      : null;
    const message = messageLine('case-message');
    const draw = async (c: CaseDetail, download = false) => {
      const audit = canAct
        ? await api<AuditReply>(`/api/audit${qs({ case: c.id, limit: 50 })}`)
        : { items: [] };
      const link = handoverLink(c);
      const facts: Array<[string, Node | string]> = [
        ['编号', c.id],
        ['来源', codeLabel('caseSource', c.source)],
        [
          '房屋',
          c.householdId
            ? h('a', { href: `#/households/${encodeURIComponent(c.householdId)}` }, place(c))
            : place(c),
        ],
        ['发现时间', fmtTime(c.detectedTime)],
        ['模式开始', fmtTime(c.patternTime)],
        ['最近更新', fmtTime(c.lastTime)],
        ['整改期限', h('span', { class: isOverdue(c) ? 'error' : '' }, deadlineText(c))],
        [
          '关联告警',
          c.alertId ? h('a', { href: `#/alerts/${encodeURIComponent(c.alertId)}` }, c.alertId) : '—',
        ],
      ];
      fill(
        root,
        h(
          'div',
          { class: 'head' },
          h('a', { href: '#/cases', class: 'back' }, `← ${t('返回')}`),
          h('h1', {}, codeLabel('caseKind', c.kind)),
          caseStateBadge(c),
          badge(codeLabel('caseSource', c.source), 'muted'),
          link,
          archiveLink(c, canAct),
        ),
        message.el,
        h(
          'div',
          { class: 'row' },
          h(
            'div',
            {},
            card(
              t('案件信息'),
              h('dl', { class: 'facts' }, ...facts.flatMap(([k, v]) => [h('dt', {}, t(k)), h('dd', {}, v)])),
              h('p', { class: 'summary-text' }, zhSummary(c.summary)),
            ),
            card(t('证据链'), evidenceChain(c.evidence)),
            c.files.length
              ? card(t('照片与文书'), h('div', { id: 'case-files' }, photoLinks(c.files)))
              : null,
            enforcementCard(c),
            alert ? card(t('通行记录'), evidenceTable(alert.evidence)) : null,
          ),
          h(
            'div',
            {},
            card(
              t('处置'),
              canAct
                ? actions(c, message.say, (after) => void draw(after, after.state === 'handed_over'))
                : h('p', { class: 'muted', id: 'read-only' }, t('查看员只读')),
              canAct && c.state === 'handed_over'
                ? feedbackForm(c, message.say, (after) => void draw(after))
                : null,
            ),
            card(t('处置记录'), timeline(c)),
            canAct
              ? card(
                  t('操作审计'),
                  table([t('时间'), t('操作者'), t('动作'), t('结果')], audit.items, (a) => [
                    fmtTime(a.time),
                    a.actor,
                    a.detail && typeof a.detail.to === 'string'
                      ? `${a.action} → ${codeLabel('caseState', a.detail.to)}`
                      : a.action,
                    a.outcome,
                  ]),
                )
              : null,
          ),
        ),
      );
      root.dataset.state = c.state;
      // 移交城管: the package goes with the move — download it at once, and keep the link.
      if (download && link) {
        link.click();
        message.say(`${t('已完成')}: ${moveLabel('handed_over')} — ${t('移交材料已下载')}`);
      }
    };
    await draw(first);
    return undefined;
  },
};
