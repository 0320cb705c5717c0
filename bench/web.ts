import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { DRIVERS } from '../drivers/registry.js';
import { build } from '../gateway/build.js';
import { loadConfig } from '../gateway/config/load.js';
import { silentLogger } from '../gateway/log.js';
import { parseRoster } from '../gateway/roster/import.js';
import { saveRoster } from '../gateway/roster/repository.js';
import { openDb } from '../gateway/store/db.js';
import { fillJournal } from '../testkit/journal-fill.js';
import { syntheticRoster } from '../testkit/roster-gen.js';
import { median, percentile, round } from '../testkit/stats.js';
import { tmpDir } from '../testkit/tmp.js';

/**
 * `npm run bench:web` (issue 5): the dashboard's API with 1,000,000 entries in the
 * journal. Fills a journal (a month of a 10,000-resident estate at the demo's doors),
 * starts the gateway on it, and times every request each page makes: median and p95 over
 * RUNS calls after a warm-up. A benchmark, not a test: it prints, it does not judge.
 * ENTRIES=… and RUNS=… change the size.
 */
const ENTRIES = Number(process.env.ENTRIES ?? 1_000_000);
const RUNS = Number(process.env.RUNS ?? 30);
const ROOT = path.join(import.meta.dirname, '..', '..');

const { dir, cleanup } = tmpDir('bench-web-');
const token = randomBytes(16).toString('hex');
const secretsFile = path.join(dir, 'secrets.yaml');
const idHashKey = randomBytes(32).toString('hex');
writeFileSync(
  secretsFile,
  stringify({ idHashKey, readers: {}, api: { tokens: [{ name: 'bench', token, role: 'admin' }] } }),
);
const base = loadConfig(path.join(ROOT, 'config', 'default.yaml'), DRIVERS);
const loaded = {
  ...base,
  config: {
    ...base.config,
    http: { ...base.config.http, host: '127.0.0.1', port: 0 },
    upstream: { ...base.config.upstream, enabled: false },
    mqtt: { ...base.config.mqtt, embedded: { ...base.config.mqtt.embedded, port: 0 } },
  },
  dataDir: dir,
  secretsFile,
};

let t0 = performance.now();
const db = openDb(path.join(dir, 'gateway.db'));
const parsed = parseRoster(JSON.stringify(syntheticRoster(10_000, 6)), 'json', idHashKey);
if (!parsed.snapshot) throw new Error('synthetic roster invalid');
saveRoster(db, parsed.snapshot, 'replace', Date.now(), 'bench');
const fill = fillJournal(db, loaded.config, {
  entries: ENTRIES,
  days: 30,
  now: Date.now(),
  alerts: ENTRIES / 50,
  audit: ENTRIES / 10,
  cases: ENTRIES / 500,
});
db.close();
console.log(
  `filled ${fill.entries} entries, ${fill.alerts} alerts, ${fill.audit} audit rows, ${fill.cases} cases in ${round((performance.now() - t0) / 1000, 1)} s`,
);

const gw = build(loaded, { log: silentLogger() });
await gw.start();
const busy =
  (gw.db
    .prepare('SELECT household_id FROM decisions WHERE household_id IS NOT NULL ORDER BY seq DESC LIMIT 1')
    .pluck()
    .get() as string) ?? 'H000001';
const alertId = gw.db
  .prepare("SELECT id FROM alerts WHERE state = 'open' ORDER BY id DESC LIMIT 1")
  .pluck()
  .get() as string;

const caseId = gw.db
  .prepare("SELECT id FROM cases WHERE state = 'handed_over' ORDER BY id DESC LIMIT 1")
  .pluck()
  .get() as string;
const month = new Date(Date.now() - 86_400_000 * 15 + 8 * 3_600_000).toISOString().slice(0, 7);

/** Every page and the API requests it makes when it opens (or when its filters are used). */
const PAGES: Array<[string, string[]]> = [
  ['overview', ['/api/overview']],
  ['live', ['/api/doors', '/api/events?limit=100']],
  ['live, filtered', ['/api/events?limit=100&door=B03-U1&outcome=denied']],
  // Worst case: a filter nothing matches (exits are never denied) walks the whole journal.
  ['live, no match', ['/api/events?limit=100&reader=T-GATE-N-OUT&outcome=denied']],
  ['alerts', ['/api/alerts?limit=50']],
  ['alerts, filtered', ['/api/alerts?limit=50&state=open&kind=inactive_resident']],
  ['alert page', [`/api/alerts/${alertId}`]],
  ['households', ['/api/households?limit=50', '/api/households?building=B03&room=1&limit=100']],
  ['households, name', ['/api/households?name=%E4%BD%8F%E6%88%B7009&limit=100']],
  ['household file', [`/api/households/${busy}`]],
  ['devices', ['/api/readers']],
  ['ledger', ['/api/cases?limit=50', '/api/cases/stats']],
  ['ledger, filtered', ['/api/cases?limit=50&state=rectification_ordered&kind=overcrowding']],
  ['case page', [`/api/cases/${caseId}`]],
  ['visitors', ['/api/passes?valid=all&limit=100']],
  [
    'monthly report',
    [`/api/reports/monthly?month=${month}`, `/api/reports/monthly?month=${month}&format=csv`],
  ],
  ['audit', ['/api/audit?limit=50', '/api/audit?action=household.view&household=H000042&limit=50']],
];

async function time(url: string): Promise<number> {
  const s = performance.now();
  const res = await fetch(`${gw.httpUrl}${url}`, { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return performance.now() - s;
}

t0 = performance.now();
console.log(`\n${'page'.padEnd(18)} ${'request'.padEnd(60)} median ms   p95 ms`);
for (const [page, urls] of PAGES) {
  for (const url of urls) {
    for (let i = 0; i < 3; i++) await time(url);
    const xs: number[] = [];
    for (let i = 0; i < RUNS; i++) xs.push(await time(url));
    console.log(
      `${page.padEnd(18)} ${url.slice(0, 60).padEnd(60)} ${String(round(median(xs), 1)).padStart(9)} ${String(round(percentile(xs, 95), 1)).padStart(8)}`,
    );
  }
}
console.log(
  `\n${RUNS} calls per request after 3 warm-up calls, one at a time, over loopback (${round((performance.now() - t0) / 1000, 1)} s).`,
);
await gw.stop();
cleanup();
