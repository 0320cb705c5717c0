import { codesOf } from '../../../core/codes.js';
import { api, qs } from '../api.js';
import type { Tip, TipsReply } from '../api-types.js';
import { badge, card, field, fill, h, select, table } from '../dom.js';
import { codeLabel, fmtTime, t } from '../i18n.js';
import { messageLine } from '../ledger.js';
import type { Page } from '../page.js';

/** The tipster as this account may see them: in full for admins, masked otherwise. */
function contact(x: Tip): Node | string {
  if (x.contact.removed) return h('span', { class: 'muted' }, t('已按保留期限删除'));
  const text = [x.contact.name, x.contact.phone].filter(Boolean).join(' ');
  return text ? h('span', { class: 'tipster', 'data-masked': String(x.contact.masked) }, text) : '—';
}

/** A reward's state, or what can be done about one. */
function rewardCell(x: Tip, role: string, act: (x: Tip, what: 'propose' | 'decide') => void): Node | string {
  const r = x.reward;
  if (r) {
    const tone = r.state === 'approved' ? 'ok' : r.state === 'rejected' ? 'muted' : 'warn';
    const text = `${r.kindLabel}${r.amountYuan !== null ? ` ¥${r.amountYuan}` : ''} · ${r.stateLabel}`;
    const b = h('span', {}, badge(text, tone));
    if (r.state === 'proposed' && role === 'admin') {
      const decide = h('button', { type: 'button', class: 'link decide', 'data-tip': x.id }, t('审批'));
      decide.addEventListener('click', () => act(x, 'decide'));
      b.append(' ', decide);
    }
    if (r.state === 'rejected' && role !== 'viewer' && x.substantiated) b.append(' ', proposeButton(x, act));
    return b;
  }
  if (!x.substantiated) return h('span', { class: 'muted' }, t('待查证'));
  return role === 'viewer' ? t('可申报奖励') : proposeButton(x, act);
}

function proposeButton(x: Tip, act: (x: Tip, what: 'propose' | 'decide') => void): HTMLButtonElement {
  const b = h('button', { type: 'button', class: 'link propose', 'data-tip': x.id }, t('申报奖励'));
  b.addEventListener('click', () => act(x, 'propose'));
  return b;
}

/**
 * 举报奖励: tips and complaints with their cases and rewards (issue 16). "经查证属实的，可适当
 * 给予表彰奖励": a tip whose case proved true may be proposed for a reward (an amount or a
 * kind); an admin who did not propose it approves or rejects it. The tipster's name and phone
 * are shown to admins only; viewers do not see what a tip says.
 */
export const tipsPage: Page = {
  id: 'tips',
  route: /^tips(?:\?(.*))?$/,
  nav: '举报奖励',
  role: 'viewer',
  async render(root, ctx) {
    const role = ctx.session.role;
    const msg = messageLine('tips-message');
    const filter = select('reward', [
      ['', t('全部')],
      ['none', t('未申报')],
      ...codesOf('rewardState').map((s): [string, string] => [s, codeLabel('rewardState', s)]),
    ]);
    const slot = h('div', { id: 'reward-form-slot' });
    const list = h('div', { id: 'tips' });
    const act = (x: Tip, what: 'propose' | 'decide') => {
      const note = h('textarea', { name: 'note', required: true, maxlength: 500, rows: 2, cols: 36 });
      const kind = select(
        'kind',
        codesOf('rewardKind').map((k): [string, string] => [k, codeLabel('rewardKind', k)]),
      );
      const amount = h('input', { name: 'amountYuan', type: 'number', min: 0.01, step: 0.01, size: 8 });
      const decision = select('decision', [
        ['approved', t('批准')],
        ['rejected', t('不批准')],
      ]);
      const form = h(
        'form',
        { id: 'reward-form', class: 'stack', 'data-tip': x.id },
        h('strong', {}, `${what === 'propose' ? t('申报奖励') : t('审批奖励')} · ${x.id}`),
        what === 'propose' ? field(t('奖励方式'), kind) : field(t('审批意见'), decision),
        what === 'propose' ? field(t('金额（元）'), amount) : null,
        field(t('说明'), note),
        h('button', { type: 'submit', class: 'primary' }, t('确认')),
      );
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        try {
          if (what === 'propose')
            await api(`/api/tips/${encodeURIComponent(x.id)}/reward`, {
              method: 'POST',
              body: {
                kind: kind.value,
                note: note.value.trim(),
                ...(amount.value ? { amountYuan: Number(amount.value) } : {}),
              },
            });
          else
            await api(`/api/tips/${encodeURIComponent(x.id)}/reward/decision`, {
              method: 'POST',
              body: { decision: decision.value, note: note.value.trim() },
            });
          fill(slot);
          msg.say(`${t('已完成')}: ${x.id}`);
          await load();
        } catch (err) {
          msg.say(`${t('请求失败')}: ${(err as Error).message}`, true);
        }
      });
      fill(slot, form);
    };
    const load = async () => {
      const r = await api<TipsReply>(`/api/tips${qs({ reward: filter.value, limit: 200 })}`);
      const tbl = table(
        [
          t('收到时间'),
          t('举报渠道'),
          t('房屋'),
          t('举报内容'),
          t('举报人'),
          t('案件'),
          t('查证'),
          t('奖励'),
        ],
        r.items,
        (x) => [
          fmtTime(x.receivedAt),
          codeLabel('tipChannel', x.channel),
          x.householdId
            ? h('a', { href: `#/households/${encodeURIComponent(x.householdId)}` }, x.householdId)
            : '—',
          h('span', { class: 'summary' }, x.content),
          contact(x),
          x.caseId
            ? h(
                'a',
                { href: `#/cases/${encodeURIComponent(x.caseId)}` },
                codeLabel('caseState', x.caseState ?? ''),
              )
            : '—',
          x.substantiated ? badge(t('属实'), 'ok') : badge(t('未证实'), 'muted'),
          rewardCell(x, role, act),
        ],
        t('暂无数据'),
      );
      r.items.forEach((x, i) => {
        const tr = tbl.tBodies[0]?.rows[i];
        if (tr) tr.dataset.tip = x.id;
      });
      fill(list, tbl);
      root.dataset.loaded = String(r.items.length);
    };
    filter.addEventListener('change', () => void load());
    root.append(
      h('div', { class: 'head' }, h('h1', {}, t('举报奖励'))),
      msg.el,
      card(null, h('div', { class: 'filters' }, field(t('奖励'), filter)), slot, list),
    );
    await load();
    return undefined;
  },
};
