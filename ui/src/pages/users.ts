import { ApiError, api } from '../api.js';
import type { User, UserWithPassword } from '../api-types.js';
import { badge, card, field, fill, h, select, table } from '../dom.js';
import { fmtTime, t } from '../i18n.js';
import type { Page } from '../page.js';

const ROLE_OPTIONS = (): Array<[string, string]> => [
  ['viewer', t('查看员')],
  ['operator', t('操作员')],
  ['admin', t('管理员')],
];

/** 用户 (admin): accounts, add one, change a role, disable, reset a password (shown once). */
export const usersPage: Page = {
  id: 'users',
  route: /^users$/,
  nav: '用户',
  role: 'admin',
  async render(root, ctx) {
    const list = h('div');
    const message = h('p', { class: 'notice', id: 'users-message', hidden: true });
    const say = (text: string, isError = false) => {
      fill(message, text);
      message.hidden = false;
      message.className = isError ? 'error' : 'notice';
    };
    const guard = async (f: () => Promise<void>) => {
      try {
        await f();
      } catch (err) {
        say(err instanceof ApiError ? err.message : String(err), true);
      }
    };
    const load = async () => {
      const { items } = await api<{ items: User[] }>('/api/users');
      fill(
        list,
        table([t('用户名'), t('角色'), t('状态'), t('最后登录'), ''], items, (u) => {
          const role = select('role', ROLE_OPTIONS(), u.role);
          role.disabled = u.name === ctx.session.user;
          role.addEventListener(
            'change',
            () =>
              void guard(async () => {
                await api(`/api/users/${u.name}`, { method: 'PATCH', body: { role: role.value } });
                await load();
              }),
          );
          const toggle = h(
            'button',
            { type: 'button', class: 'link', disabled: u.name === ctx.session.user },
            u.disabled ? t('启用') : t('停用'),
          );
          toggle.addEventListener(
            'click',
            () =>
              void guard(async () => {
                await api(`/api/users/${u.name}`, { method: 'PATCH', body: { disabled: !u.disabled } });
                await load();
              }),
          );
          const reset = h('button', { type: 'button', class: 'link' }, t('重置密码'));
          reset.addEventListener(
            'click',
            () =>
              void guard(async () => {
                const r = await api<UserWithPassword>(`/api/users/${u.name}/password`, {
                  method: 'POST',
                  body: {},
                });
                say(`${u.name} — ${t('新密码仅显示一次')}: ${r.password ?? '—'}`);
              }),
          );
          return [
            u.name,
            role,
            u.disabled ? badge(t('已停用'), 'bad') : badge('OK', 'ok'),
            fmtTime(u.lastLoginAt),
            h('span', { class: 'chips' }, toggle, reset),
          ];
        }),
      );
    };
    const name = h('input', {
      name: 'name',
      required: true,
      maxlength: 32,
      pattern: '[A-Za-z0-9_.\\-]{2,32}',
      size: 14,
    });
    const role = select('role', ROLE_OPTIONS(), 'viewer');
    const password = h('input', {
      name: 'password',
      type: 'password',
      minlength: 10,
      maxlength: 256,
      placeholder: t('留空自动生成'),
      autocomplete: 'new-password',
    });
    const form = h(
      'form',
      { class: 'filters', id: 'add-user' },
      field(t('用户名'), name),
      field(t('角色'), role),
      field(t('密码'), password),
      h('button', { type: 'submit', class: 'primary' }, t('新增用户')),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void guard(async () => {
        const r = await api<UserWithPassword>('/api/users', {
          method: 'POST',
          body: {
            name: name.value.trim(),
            role: role.value,
            ...(password.value ? { password: password.value } : {}),
          },
        });
        say(r.password ? `${r.user.name} — ${t('新密码仅显示一次')}: ${r.password}` : `${r.user.name} OK`);
        form.reset();
        await load();
      });
    });
    root.append(card(t('新增用户'), form, message), card(t('用户'), list));
    await load();
    return undefined;
  },
};
