import { ApiError, api, setCsrf, toLogin } from './api.js';
import type { DoorStatesReply, FireState, SessionInfo } from './api-types.js';
import { fill, h } from './dom.js';
import { fmtTime, lang, setLang, t } from './i18n.js';
import { allowed, type Page } from './page.js';
import { PAGES } from './pages/index.js';

/** The dashboard shell: side menu, top bar, and the page the hash route names. */

let cleanup: (() => void) | undefined;
let session: SessionInfo;

function roleName(r: SessionInfo['role']): string {
  return t(r === 'viewer' ? '查看员' : r === 'operator' ? '操作员' : '管理员');
}

function shell(): { nav: HTMLElement; main: HTMLElement } {
  const nav = h('nav', { class: 'menu' });
  const main = h('main', { id: 'page' });
  const logout = h('button', { class: 'link', type: 'button', id: 'logout' }, t('退出'));
  logout.addEventListener('click', async () => {
    await api('/api/session', { method: 'DELETE' }).catch(() => undefined);
    location.href = '/login';
  });
  const other = lang() === 'zh' ? 'en' : 'zh';
  const switcher = h(
    'button',
    { class: 'link', type: 'button', id: 'lang' },
    other === 'en' ? 'English' : '中文',
  );
  switcher.addEventListener('click', () => setLang(other));
  const top = h(
    'header',
    { class: 'top' },
    h('div', { class: 'brand' }, h('strong', {}, session.estate.name), h('span', {}, t('物业管理平台'))),
    h(
      'div',
      { class: 'who' },
      h('span', { id: 'who' }, `${session.user} · ${roleName(session.role)}`),
      session.kind === 'user' ? h('a', { href: '#/password' }, t('修改密码')) : null,
      switcher,
      logout,
    ),
  );
  const fire = h('div', { id: 'fire-banner', class: 'fire-banner', role: 'alert', hidden: true });
  fill(
    document.body,
    h(
      'div',
      { class: 'layout' },
      h('aside', {}, h('div', { class: 'logo' }, '门禁 · ACS'), nav),
      h('div', { class: 'body' }, fire, top, main),
    ),
  );
  followFire(fire);
  return { nav, main };
}

/**
 * The fire all-open (issue 13) on every page, at the top, while it lasts: which inputs or
 * who declared it, since when. Follows the live stream; a stream that reconnects takes the
 * state again.
 */
function followFire(banner: HTMLElement): void {
  const show = (f: FireState) => {
    banner.hidden = !f.active;
    banner.dataset.active = String(f.active);
    if (!f.active) return fill(banner);
    const who = f.declared ? `${t('管理员')} ${f.declared.actor}: ${f.declared.reason}` : f.inputs.join('、');
    fill(
      banner,
      h('strong', {}, t('消防联动：全部门已打开')),
      ` ${t('自')} ${fmtTime(f.since)} · ${who} · `,
      h('a', { href: '#/devices' }, t('查看门状态')),
    );
  };
  const load = () =>
    api<DoorStatesReply>('/api/doors/state')
      .then((s) => show(s.fire))
      .catch(() => undefined);
  const es = new EventSource('/api/live');
  es.addEventListener('open', () => void load());
  es.addEventListener('fire', (ev) => show(JSON.parse((ev as MessageEvent<string>).data) as FireState));
}

function menu(nav: HTMLElement, current: Page | undefined): void {
  fill(
    nav,
    ...PAGES.filter((p) => p.nav && allowed(session.role, p)).map((p) =>
      h(
        'a',
        {
          href: `#/${p.id}`,
          // A page reached only by links lights its list: alert → alerts, case → cases.
          class:
            current?.id === p.id || (current !== undefined && !current.nav && p.id.startsWith(current.id))
              ? 'active'
              : '',
        },
        t(p.nav!),
      ),
    ),
  );
}

async function show(nav: HTMLElement, main: HTMLElement): Promise<void> {
  cleanup?.();
  cleanup = undefined;
  const path = location.hash.replace(/^#\/?/, '') || 'overview';
  let page: Page | undefined;
  let params: string[] = [];
  for (const p of PAGES) {
    const m = p.route.exec(path);
    if (m) {
      page = p;
      params = m.slice(1).map((x) => decodeURIComponent(x ?? ''));
      break;
    }
  }
  menu(nav, page);
  if (!page) return fill(main, h('p', { class: 'notice' }, t('页面不存在')));
  if (!allowed(session.role, page)) return fill(main, h('p', { class: 'notice' }, t('暂无权限')));
  document.title = `${page.nav ? t(page.nav) : t('物业管理平台')} · ${session.estate.name}`;
  fill(main);
  // Markers a page leaves on <main> (data-loaded, data-state) belong to that page only.
  for (const k of Object.keys(main.dataset)) delete main.dataset[k];
  main.dataset.page = page.id;
  try {
    cleanup = await page.render(main, { session, masked: session.role === 'viewer', params });
  } catch (err) {
    main.append(h('p', { class: 'error' }, `${t('请求失败')}: ${(err as Error).message}`));
    if (!(err instanceof ApiError)) console.error(err);
  }
}

async function start(): Promise<void> {
  document.documentElement.lang = lang() === 'en' ? 'en' : 'zh-CN';
  try {
    session = await api<SessionInfo>('/api/session');
  } catch {
    return toLogin();
  }
  setCsrf(session.csrf);
  const { nav, main } = shell();
  window.addEventListener('hashchange', () => void show(nav, main));
  await show(nav, main);
}

void start();
