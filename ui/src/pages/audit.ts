import { auditActionLabel } from '../../../core/codes.js';
import { api, qs } from '../api.js';
import type { AuditReply } from '../api-types.js';
import { badge, card, field, fill, h, select } from '../dom.js';
import { codeLabel, fmtTime, lang, t } from '../i18n.js';
import type { Page } from '../page.js';

const ACTIONS = [
  'login.ok',
  'login.failed',
  'login.locked',
  'logout',
  'household.view',
  'household.search',
  'alert.view',
  'user.add',
  'user.update',
  'user.password',
  'config.view',
  'request.refused',
  // The ledger (issue 4): every write and every case view, with its case and household.
  'case.view',
  'case.transition',
  'case.handover',
  'pass.create',
  'pass.revoke',
  'patrol.create',
  'tip.create',
  'report.view',
  'report.export',
  // Issue 9: a look at a face thumbnail (first per user and hour), the daily retention run.
  'thumb.view',
  'retention.run',
  // Faces learnt as card holders, enrolled or turned down (issue 10).
  'face.enrol',
  'face.reject',
  // Doors (issue 13): remote unlock, the fire all-open declared, ended, or from a fire input.
  'door.unlock',
  'fire.declare',
  'fire.clear',
  'fire.input_on',
  'fire.input_off',
  // Issue 16: the full inspection, uploads, listing patrols, enforcement feedback, rewards.
  'campaign.create',
  'campaign.visit',
  'campaign.close',
  'campaign.report',
  'evidence.upload',
  'evidence.view',
  'patrol.link',
  'case.feedback',
  'tip.view',
  'tip.reward',
  'tip.reward.decision',
];

/** An action's label in the chosen language, with its code (what the filter and the API use). */
const actionText = (a: string) => `${auditActionLabel(a, lang())} (${a})`;

/** 审计: who logged in, who viewed which household file, who changed what; newest first. */
export const auditPage: Page = {
  id: 'audit',
  route: /^audit$/,
  nav: '审计',
  role: 'operator',
  async render(root) {
    const fActor = h('input', { name: 'actor', maxlength: 80, size: 12 });
    const fAction = select('action', [
      ['', t('全部')],
      ...ACTIONS.map((a): [string, string] => [a, actionText(a)]),
    ]);
    const fHousehold = h('input', { name: 'household', maxlength: 64, size: 12 });
    const body = h('tbody');
    const more = h('button', { type: 'button', class: 'link' }, t('加载更多'));
    let next: number | null = null;
    const load = async (reset: boolean) => {
      const r = await api<AuditReply>(
        `/api/audit${qs({ actor: fActor.value.trim(), action: fAction.value, household: fHousehold.value.trim(), before: reset ? null : next, limit: 50 })}`,
      );
      if (reset) fill(body);
      for (const a of r.items)
        body.append(
          h(
            'tr',
            {},
            ...[
              fmtTime(a.time),
              a.actor,
              a.role ?? '—',
              actionText(a.action),
              badge(codeLabel('auditOutcome', a.outcome), a.outcome === 'ok' ? 'ok' : 'bad'),
              a.householdId
                ? h('a', { href: `#/households/${encodeURIComponent(a.householdId)}` }, a.householdId)
                : (a.caseId ?? '—'),
              a.target ?? '—',
              a.ip ?? '—',
              a.detail ? JSON.stringify(a.detail) : '',
            ].map((c) => h('td', {}, c)),
          ),
        );
      next = r.next;
      more.hidden = next === null;
    };
    const form = h(
      'form',
      { class: 'filters' },
      field(t('操作者'), fActor),
      field(t('动作'), fAction),
      field(t('房屋'), fHousehold),
      h('button', { type: 'submit', class: 'primary' }, t('查询')),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void load(true);
    });
    more.addEventListener('click', () => void load(false));
    const heads = [
      t('时间'),
      t('操作者'),
      t('角色'),
      t('动作'),
      t('结果'),
      t('房屋'),
      t('对象'),
      t('地址'),
      '',
    ];
    root.append(
      form,
      card(
        null,
        h(
          'table',
          { class: 'grid', id: 'audit' },
          h('thead', {}, h('tr', {}, ...heads.map((x) => h('th', {}, x)))),
          body,
        ),
        more,
      ),
    );
    await load(true);
    return undefined;
  },
};
