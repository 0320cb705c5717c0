import { api } from '../api.js';
import type { HouseholdFile } from '../api-types.js';
import { badge, card, h } from '../dom.js';
import { thumbStrip } from '../evidence.js';
import { fmtTime, t } from '../i18n.js';
import { messageLine } from '../ledger.js';

type Offer = HouseholdFile['faceOffers'][number];

const TONE: Record<string, 'warn' | 'ok' | 'muted'> = { offered: 'warn', enrolled: 'ok', rejected: 'muted' };

/**
 * "Probably 张** — enrol this face?" (issue 10 item 2): faces the detectors learnt as a
 * member's card holder (a resident with no enrolled face, or one the terminal keeps
 * failing), with their captures; operators enrol the face or say it is not the resident.
 * The face stays on the box: the page shows thumbnails the gateway serves, nothing more.
 * Null when there is nothing to show.
 */
export function faceOffersCard(
  f: Pick<HouseholdFile, 'id' | 'faceOffers'>,
  canAct: boolean,
  reload: () => Promise<void>,
): HTMLElement | null {
  if (f.faceOffers.length === 0) return null;
  const msg = messageLine('face-offer-message');
  const decide = async (o: Offer, decision: 'enrol' | 'reject') => {
    try {
      await api(`/api/households/${encodeURIComponent(f.id)}/face-offers/${o.faceId}`, {
        method: 'POST',
        body: { decision },
      });
      await reload();
    } catch (err) {
      msg.say((err as Error).message, true);
    }
  };
  const row = (o: Offer) =>
    h(
      'div',
      { class: 'face-offer', 'data-face': String(o.faceId) },
      h(
        'p',
        {},
        h('strong', {}, `${t('疑似')} ${o.name} ${t('本人')}`),
        ` — ${o.credential} ${t('随卡出现')} ${o.days} ${t('天')}（${fmtTime(o.first).slice(0, 10)} ~ ${fmtTime(o.last).slice(0, 10)}）`,
        ' ',
        badge(o.stateLabel, TONE[o.state] ?? 'muted'),
      ),
      thumbStrip(o.thumbs, true),
      o.state === 'offered' && canAct
        ? h(
            'p',
            { class: 'actions' },
            `${t('是否登记此人脸？')} `,
            button(t('登记人脸'), 'primary enrol-face', () => decide(o, 'enrol')),
            ' ',
            button(t('不是本人'), 'reject-face', () => decide(o, 'reject')),
          )
        : o.decidedBy
          ? h('p', { class: 'muted' }, `${o.decidedBy} · ${fmtTime(o.decidedAt)}`)
          : null,
    );
  return card(t('人脸建档建议'), ...f.faceOffers.map(row), msg.el);
}

/** A button that runs `act` once; `decide` shows its own errors. */
function button(text: string, cls: string, act: () => Promise<void>): HTMLButtonElement {
  const b = h('button', { type: 'button', class: cls }, text);
  b.addEventListener('click', () => {
    b.disabled = true;
    void act();
  });
  return b;
}
