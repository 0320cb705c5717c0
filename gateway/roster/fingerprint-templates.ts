import { FINGERPRINT_TEMPLATE_BYTES as TEMPLATE_BYTES } from '../../core/provisioning.js';

/**
 * Fingerprint templates carried by the roster (issue 3: "DownChar a template carried by
 * the roster + Store at a page"). JSON: `credentials.fingerprintTemplates` maps template
 * id → base64; CSV: the `fingerprint_templates` column holds `id:base64` entries
 * separated by `;` (or `|`, like the other list columns). The template id is the page
 * on the module, so it must be a page number; the bytes must be one character file.
 */

/** Highest page a template id may name: pages are u16 on the wire (Store, DeleteChar). */
export const MAX_PAGE = 0xffff;

const PAGE_RE = /^\d{1,5}$/;
/** Standard base64 with padding (RFC 4648 §4): Buffer.from would silently skip bad characters. */
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** One template as read from a roster row. */
export interface TemplateEntry {
  id: string;
  template: Buffer;
}

/** What is wrong with one template: the field to name and why (never the bytes). */
export interface TemplateProblem {
  field: string;
  reason: string;
}

/** Whether a fingerprint template id can name a page on a module. */
export function isPage(id: string): boolean {
  return PAGE_RE.test(id) && Number(id) <= MAX_PAGE;
}

/** Decodes one base64 template, or says why it cannot be one ("is not base64"…). */
export function decodeTemplate(b64: string): Buffer | string {
  if (b64 === '') return 'is empty';
  if (!BASE64_RE.test(b64)) return 'is not base64';
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length !== TEMPLATE_BYTES)
    return `is ${bytes.length} bytes; the module takes ${TEMPLATE_BYTES} (one character file)`;
  return bytes;
}

/**
 * Reads a resident's templates from the JSON object or the CSV cell. Problems name the
 * field (JSON: down to the template id, so the line locator finds the exact line).
 */
export function readTemplates(
  value: unknown,
  format: 'json' | 'csv',
): { entries: TemplateEntry[]; problems: TemplateProblem[] } {
  const entries: TemplateEntry[] = [];
  const problems: TemplateProblem[] = [];
  const pairs: Array<[id: string, b64: unknown, field: string]> = [];
  if (value === undefined || value === null || value === '') return { entries, problems };
  if (format === 'csv') {
    const field = 'fingerprint_templates';
    for (const item of String(value).split(/[;|]/)) {
      const s = item.trim();
      if (s === '') continue;
      const colon = s.indexOf(':');
      if (colon < 0) problems.push({ field, reason: 'each entry must be template_id:base64' });
      else pairs.push([s.slice(0, colon).trim(), s.slice(colon + 1).trim(), field]);
    }
  } else if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push({
      field: 'credentials.fingerprintTemplates',
      reason: 'must be an object of template id → base64 template',
    });
  } else {
    for (const [id, b64] of Object.entries(value as Record<string, unknown>))
      pairs.push([id.trim(), b64, `credentials.fingerprintTemplates.${id}`]);
  }
  const seen = new Set<string>();
  for (const [id, b64, field] of pairs) {
    if (!isPage(id)) {
      problems.push({
        field,
        reason: `template id "${id}" must be a page number 0–${MAX_PAGE} (the id is the page on the module)`,
      });
      continue;
    }
    if (seen.has(id)) {
      problems.push({ field, reason: `template ${id} is given twice` });
      continue;
    }
    seen.add(id);
    const bytes = typeof b64 === 'string' ? decodeTemplate(b64) : 'must be a base64 string';
    if (typeof bytes === 'string') problems.push({ field, reason: `template ${id} ${bytes}` });
    else entries.push({ id, template: bytes });
  }
  return { entries, problems };
}
