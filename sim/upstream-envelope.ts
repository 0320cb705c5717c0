/**
 * Validation of a CloudEvents 1.0 batch as the upstream receives it (design.md §7). Total:
 * any bytes give either events or a list of problems, never an exception. Problems name
 * positions and fields, never values (events carry personal data).
 */

/** A received event: the required CloudEvents attributes, the rest as sent. */
export interface UpstreamEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  subject?: string;
  data?: unknown;
  [attribute: string]: unknown;
}

/** RFC 3339 timestamp, as CloudEvents requires for `time`. */
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
/** Problems listed before giving up on a batch. */
const MAX_PROBLEMS = 100;
/** Longest id, source or type taken: they are keys, not payload. */
const MAX_ATTR = 1024;

function attr(e: Record<string, unknown>, name: string, at: string, problems: string[]): void {
  const v = e[name];
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_ATTR)
    problems.push(`${at}.${name}: required, a non-empty string`);
}

/** Checks one envelope; appends what is wrong to `problems`. */
export function envelopeProblems(v: unknown, at: string, problems: string[]): void {
  if (!v || typeof v !== 'object' || Array.isArray(v)) {
    problems.push(`${at}: must be an object`);
    return;
  }
  const e = v as Record<string, unknown>;
  if (e.specversion !== '1.0') problems.push(`${at}.specversion: must be "1.0"`);
  for (const name of ['id', 'source', 'type']) attr(e, name, at, problems);
  if (typeof e.time !== 'string' || !RFC3339_RE.test(e.time) || Number.isNaN(Date.parse(e.time)))
    problems.push(`${at}.time: required, an RFC 3339 time`);
  if (e.subject !== undefined && typeof e.subject !== 'string')
    problems.push(`${at}.subject: must be a string`);
}

/** Parses and validates a batch body: a JSON array of CloudEvents. */
export function validateBatch(
  body: Buffer,
): { ok: true; events: UpstreamEvent[] } | { ok: false; problems: string[] } {
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, problems: ['body: not JSON'] };
  }
  if (!Array.isArray(v)) return { ok: false, problems: ['body: a batch must be a JSON array'] };
  const problems: string[] = [];
  // Stop early: a garbage array of a million items needs no million-line answer.
  for (let i = 0; i < v.length && problems.length < MAX_PROBLEMS; i++)
    envelopeProblems(v[i], `[${i}]`, problems);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, events: v as UpstreamEvent[] };
}
