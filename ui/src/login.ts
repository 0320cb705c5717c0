import { fill, h } from './dom.js';
import { lang, setLang, t } from './i18n.js';

/** The login page: user name and password to POST /api/session, then back to the dashboard. */

function start(): void {
  document.documentElement.lang = lang() === 'en' ? 'en' : 'zh-CN';
  document.title = `${t('登录')} · ${t('物业管理平台')}`;
  const user = h('input', {
    name: 'user',
    autocomplete: 'username',
    required: true,
    maxlength: 64,
    autofocus: true,
  });
  const password = h('input', {
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    maxlength: 256,
  });
  const error = h('p', { class: 'error', role: 'alert', id: 'login-error' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('登录'));
  const form = h(
    'form',
    { class: 'login card' },
    h('h1', {}, t('物业管理平台')),
    h('label', { class: 'field' }, h('span', {}, t('用户名')), user),
    h('label', { class: 'field' }, h('span', {}, t('密码')), password),
    error,
    submit,
  );
  const other = lang() === 'zh' ? 'en' : 'zh';
  const switcher = h('button', { type: 'button', class: 'link' }, other === 'en' ? 'English' : '中文');
  switcher.addEventListener('click', () => setLang(other));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    fill(error);
    try {
      const res = await fetch('/api/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        credentials: 'same-origin',
        body: JSON.stringify({ user: user.value.trim(), password: password.value }),
      });
      if (res.ok) {
        const next = new URLSearchParams(location.search).get('next') ?? '';
        location.href = `/${next.startsWith('#/') ? next : ''}`;
        return;
      }
      const body = (await res.json().catch(() => ({}))) as { message?: string };
      const msg =
        res.status === 401
          ? lang() === 'en'
            ? 'Wrong user name or password'
            : '用户名或密码错误'
          : res.status === 429
            ? lang() === 'en'
              ? `Too many failed attempts. ${body.message ?? ''}`
              : `失败次数过多，请稍后再试（${res.headers.get('retry-after') ?? '?'} 秒）`
            : (body.message ?? res.statusText);
      fill(error, msg);
      password.value = '';
      password.focus();
    } finally {
      submit.disabled = false;
    }
  });
  fill(document.body, h('div', { class: 'login-wrap' }, form, h('div', { class: 'lang' }, switcher)));
}

start();
