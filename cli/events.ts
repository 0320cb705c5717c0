import path from 'node:path';
import { parseIsoTime } from '../core/time.js';
import { type EntryRow, iterateEntries } from '../gateway/pipeline/journal.js';
import { openDb } from '../gateway/store/db.js';
import { defaultConfigPath, parse, UsageError } from './args.js';
import { loadOrExit } from './config-file.js';
import { EVENTS_HELP } from './help.js';

const COLUMNS = [
  'seq',
  'time',
  'readerId',
  'doorId',
  'direction',
  'type',
  'outcome',
  'answer',
  'reasons',
  'residentId',
  'householdId',
  'offline',
  'stale',
] as const;

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function flat(e: EntryRow): Record<(typeof COLUMNS)[number], unknown> {
  return {
    seq: e.seq,
    time: new Date(e.ts).toISOString(),
    readerId: e.readerId,
    doorId: e.doorId,
    direction: e.direction,
    type: e.type,
    outcome: e.outcome,
    answer: e.answer,
    reasons: e.reasons.join(' '),
    residentId: e.residentId,
    householdId: e.householdId,
    offline: e.offline,
    stale: e.stale,
  };
}

function time(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  // Strict: 2026-02-30 is a typo to report, not 2 March (issue 12 item 5).
  const t = parseIsoTime(v);
  if (t === null) throw new UsageError(`--${name} is not an ISO time with a zone that exists: ${v}`);
  return t;
}

/** Writes with backpressure; resolves false when stdout closed (e.g. piped into head). */
function write(s: string): Promise<boolean> {
  return new Promise((resolve) => {
    if (process.stdout.destroyed) return resolve(false);
    if (process.stdout.write(s)) resolve(true);
    else process.stdout.once('drain', () => resolve(true));
  });
}

/** `estate-gateway events`. Returns the exit code. */
export async function eventsCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    config: { type: 'string', short: 'c' },
    since: { type: 'string' },
    until: { type: 'string' },
    format: { type: 'string', default: 'jsonl' },
  });
  if (values.help) {
    console.log(EVENTS_HELP);
    return 0;
  }
  if (!values.since) throw new UsageError('--since is required');
  if (values.format !== 'jsonl' && values.format !== 'csv')
    throw new UsageError('--format must be jsonl or csv');
  const since = time(values.since, 'since');
  const until = time(values.until, 'until');
  const loaded = loadOrExit(values.config ?? defaultConfigPath());
  const db = openDb(path.join(loaded.dataDir, 'gateway.db'), { readonly: true });
  let closed = false;
  process.stdout.on('error', () => {
    closed = true;
  });
  try {
    if (values.format === 'csv') await write(`${COLUMNS.join(',')}\n`);
    let chunk = '';
    for (const e of iterateEntries(db, { since, until })) {
      const row = flat(e);
      chunk +=
        values.format === 'csv'
          ? `${COLUMNS.map((c) => csvCell(row[c])).join(',')}\n`
          : `${JSON.stringify(row)}\n`;
      if (chunk.length > 64 * 1024) {
        if (closed || !(await write(chunk))) return 0;
        chunk = '';
      }
    }
    if (chunk && !closed) await write(chunk);
  } finally {
    db.close();
  }
  return 0;
}
