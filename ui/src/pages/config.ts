import { api } from '../api.js';
import type { ConfigReply } from '../api-types.js';
import { card, h } from '../dom.js';
import { t } from '../i18n.js';
import type { Page } from '../page.js';

/** 配置: the running configuration, read-only (admin). Secrets are never served. */
export const configPage: Page = {
  id: 'config',
  route: /^config$/,
  nav: '配置',
  role: 'admin',
  async render(root) {
    const c = await api<ConfigReply>('/api/config');
    root.append(
      card(`${t('配置')} · v${c.version}`, h('pre', { class: 'config' }, JSON.stringify(c.config, null, 2))),
    );
    return undefined;
  },
};
