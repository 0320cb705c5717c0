import { ApiError, api, setCsrf } from '../api.js';
import type { SessionInfo } from '../api-types.js';
import { card, field, fill, h } from '../dom.js';
import { t } from '../i18n.js';
import type { Page } from '../page.js';

/** 修改密码: anyone changes their own password; other browsers of the account are logged out. */
export const passwordPage: Page = {
  id: 'password',
  route: /^password$/,
  role: 'viewer',
  async render(root) {
    const current = h('input', {
      name: 'current',
      type: 'password',
      required: true,
      autocomplete: 'current-password',
    });
    const next = h('input', {
      name: 'password',
      type: 'password',
      required: true,
      minlength: 10,
      autocomplete: 'new-password',
    });
    const again = h('input', {
      name: 'again',
      type: 'password',
      required: true,
      minlength: 10,
      autocomplete: 'new-password',
    });
    const message = h('p', { id: 'password-message' });
    const form = h(
      'form',
      { class: 'filters', id: 'password-form' },
      field(t('当前密码'), current),
      field(t('新密码'), next),
      field(t('再次输入'), again),
      h('button', { type: 'submit', class: 'primary' }, t('修改密码')),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (next.value !== again.value) return fill(message, t('两次输入不一致'));
      try {
        const s = await api<SessionInfo>('/api/session/password', {
          method: 'POST',
          body: { current: current.value, password: next.value },
        });
        setCsrf(s.csrf);
        form.reset();
        message.className = 'notice';
        fill(message, t('密码已修改'));
      } catch (err) {
        message.className = 'error';
        fill(message, err instanceof ApiError ? err.message : String(err));
      }
    });
    root.append(card(t('修改密码'), form, message));
    return undefined;
  },
};
