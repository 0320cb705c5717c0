import { api } from '../api.js';
import type { FingerprintSync, Reader } from '../api-types.js';
import { badge, card, fill, h, table } from '../dom.js';
import { doorsPanel } from '../doors.js';
import { fmtTime, t } from '../i18n.js';
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
 * 设备: every door with its live state (issue 13: remote unlock for operators, the fire
 * all-open for admins), then every reader with its state, last activity, firmware, clock
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
    root.append(card(t('读头'), body));
    const load = async () => {
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
              r.online === null
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
