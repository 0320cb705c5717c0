import { api } from '../api.js';
import type { FingerprintSync, Health, HealthDetail, Reader } from '../api-types.js';
import { badge, card, fill, h, table } from '../dom.js';
import { doorsPanel } from '../doors.js';
import { codeLabel, fmtTime, t } from '../i18n.js';
import type { Page } from '../page.js';

/** The module's library against the roster: synced (+enrolled −removed), partly, failed, waiting. */
function syncBadge(s: FingerprintSync | null | undefined): HTMLElement | null {
  if (s === undefined) return null;
  if (s === null) return badge(t('指纹库待同步'), 'muted');
  const changes = `+${s.enrolled + s.replaced} −${s.removed}`;
  const tone = { ok: 'ok', partial: 'warn', failed: 'bad', skipped: 'muted' } as const;
  const label = {
    ok: '指纹库已同步',
    partial: '指纹库部分同步',
    failed: '指纹库同步失败',
    skipped: '指纹库待同步',
  };
  const el = badge(
    `${t(label[s.outcome])} ${s.outcome === 'skipped' ? '' : changes}`.trim(),
    tone[s.outcome],
  );
  const details = [fmtTime(s.at)];
  if (s.failed) details.push(`${s.failed} ${t('页被拒')}`);
  if (s.noTemplate) details.push(`${s.noTemplate} ${t('页无模板')}`);
  if (s.error) details.push(s.error);
  el.title = details.join(' · ');
  return el;
}

/**
 * The roster the gateway checks against (issue 14): its version and size and, when it comes
 * signed from the district system, who signed it, when it came, and the last refusal.
 */
function rosterCard(r: HealthDetail['roster']): HTMLElement[] {
  const rows: Array<[string, string | HTMLElement]> = [
    [t('名单版本'), r.version ?? '—'],
    [t('户数 / 人数'), `${r.households} / ${r.residents}`],
  ];
  const s = r.sync;
  if (s) {
    rows.push([
      t('签发方'),
      s.signer ? `${s.signer.label ?? t('未知密钥')} (${s.signer.keyId})` : badge(t('尚未同步'), 'warn'),
    ]);
    rows.push([t('同步时间'), s.at ? `${fmtTime(s.at)} · ${s.via ?? ''}` : '—']);
    if (s.connected !== null)
      rows.push([t('区平台连接'), badge(s.connected ? t('在线') : t('离线'), s.connected ? 'ok' : 'bad')]);
    rows.push([
      t('最近拒收'),
      s.lastRefusal
        ? badge(`${codeLabel('rosterRefusal', s.lastRefusal.reason)} · ${fmtTime(s.lastRefusal.at)}`, 'bad')
        : t('无'),
    ]);
  }
  return [h('dl', { class: 'facts' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]))];
}

/**
 * 设备: every door with its live state (issue 13: remote unlock for operators, the fire
 * all-open for admins), the roster (issue 14), then every reader with its state, last activity, firmware, clock
 * offset and counters.
 */
export const devicesPage: Page = {
  id: 'devices',
  route: /^devices$/,
  nav: '设备',
  role: 'viewer',
  async render(root, ctx) {
    const role = ctx.session.role;
    const closeDoors = await doorsPanel(root, { canUnlock: role !== 'viewer', canFire: role === 'admin' });
    const body = h('div', { id: 'devices' });
    const roster = h('div', { id: 'roster' });
    root.append(card(t('名单'), roster), card(t('读头'), body));
    const load = async () => {
      // /healthz answers 503 with the same body when degraded: read it either way.
      const health = (await fetch('/healthz')
        .then((res) => res.json())
        .catch(() => null)) as Health | null;
      // With the session the details come too (a stranger gets the status only: issue 9).
      if (health?.roster) fill(roster, ...rosterCard(health.roster));
      const { items } = await api<{ items: Reader[] }>('/api/readers');
      fill(
        body,
        table(
          [
            t('读头'),
            t('门'),
            t('方向'),
            t('驱动'),
            t('状态'),
            t('最后活动'),
            t('固件'),
            t('时钟偏差'),
            t('计数'),
          ],
          items,
          (r) => [
            r.id,
            r.doorName ?? r.doorId,
            t(r.direction === 'out' ? '外出' : '进入'),
            r.driver,
            h(
              'span',
              { class: 'chips' },
              r.linkDown
                ? badge(t('未知（链路中断）'), 'muted')
                : r.online === null
                  ? badge(t('未知'), 'muted')
                  : badge(r.online ? t('在线') : t('离线'), r.online ? 'ok' : 'bad'),
              syncBadge(r.fingerprintSync),
            ),
            fmtTime(r.lastSeen),
            r.firmware ?? '—',
            r.clockOffsetMs === null ? '—' : `${r.clockOffsetMs} ms`,
            h(
              'span',
              { class: 'chips' },
              ...Object.entries(r.counters).map(([k, v]) => h('span', { class: 'chip' }, `${k} ${v}`)),
            ),
          ],
        ),
      );
    };
    await load();
    const timer = setInterval(() => void load().catch(() => undefined), 10_000);
    return () => {
      clearInterval(timer);
      closeDoors();
    };
  },
};
