import { api } from './api.js';
import type { EvidenceFile } from './api-types.js';
import { fill, h } from './dom.js';
import { t } from './i18n.js';

/**
 * Photos (and documents) for a record (issue 16): each file chosen — on a phone, straight from
 * the camera — is uploaded at once (POST /api/evidence: the gateway re-encodes it without its
 * EXIF and GPS position), shown as a thumbnail with a remove button, and `ids()` gives the
 * uploaded ids for the record the form then sends. The file's name never leaves the browser
 * as anything the gateway keeps.
 */
export function photoPicker(
  name: string,
  o: { max?: number; documents?: boolean; label?: string } = {},
): { el: HTMLElement; ids: () => string[]; busy: () => boolean; reset: () => void } {
  const max = o.max ?? 6;
  const input = h('input', {
    type: 'file',
    name,
    accept: o.documents ? 'image/jpeg,image/png,application/pdf' : 'image/jpeg,image/png',
    multiple: max > 1,
    capture: o.documents ? null : 'environment',
  });
  const strip = h('span', { class: 'thumbs photo-strip' });
  const status = h('span', { class: 'muted upload-status', role: 'status' });
  const files: EvidenceFile[] = [];
  let pending = 0;
  const draw = () => {
    fill(
      strip,
      ...files.map((f) => {
        const remove = h('button', { type: 'button', class: 'link remove-photo', title: t('移除') }, '×');
        remove.addEventListener('click', () => {
          files.splice(files.indexOf(f), 1);
          draw();
        });
        return h(
          'span',
          { class: 'photo', 'data-evidence': f.id },
          f.thumbUrl
            ? h('img', { class: 'thumb evidence-thumb', src: f.thumbUrl, alt: t('照片') })
            : h('span', { class: 'chip' }, 'PDF'),
          remove,
        );
      }),
    );
  };
  input.addEventListener('change', async () => {
    const chosen = [...(input.files ?? [])].slice(0, Math.max(0, max - files.length));
    input.value = '';
    if (chosen.length === 0) return;
    pending += chosen.length;
    status.className = 'muted upload-status';
    fill(status, `${t('上传中')}…`);
    for (const file of chosen) {
      const body = new FormData();
      body.append('file', file);
      try {
        files.push(await api<EvidenceFile>('/api/evidence', { method: 'POST', body }));
        draw();
        fill(status, `${t('已上传')} ${files.length}`);
      } catch (err) {
        status.className = 'error upload-status';
        fill(status, `${t('上传失败')}: ${(err as Error).message}`);
      } finally {
        pending--;
      }
    }
  });
  return {
    el: h(
      'div',
      { class: 'photo-picker' },
      h('label', { class: 'field' }, h('span', {}, o.label ?? t('照片')), input),
      strip,
      status,
    ),
    ids: () => files.map((f) => f.id),
    busy: () => pending > 0,
    reset: () => {
      files.length = 0;
      draw();
      fill(status);
    },
  };
}

/** Thumbnails of a record's photos, each a link to the full image (a PDF: a download link). */
export function photoLinks(
  items: ReadonlyArray<{ id: string; url: string; thumbUrl: string | null }>,
): HTMLElement {
  return h(
    'span',
    { class: 'thumbs' },
    ...items.map((p) =>
      h(
        'a',
        { href: p.url, target: '_blank', rel: 'noopener', class: 'photo-link', 'data-evidence': p.id },
        p.thumbUrl ? h('img', { class: 'thumb', src: p.thumbUrl, alt: t('照片'), loading: 'lazy' }) : 'PDF',
      ),
    ),
  );
}
