import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { decodeTemplate, readTemplates } from '../../gateway/roster/fingerprint-templates.js';
import { parseRoster } from '../../gateway/roster/import.js';
import { saveRoster } from '../../gateway/roster/repository.js';
import { RosterIndex } from '../../gateway/roster/roster-index.js';
import { openDb } from '../../gateway/store/db.js';

// Issue 3: the roster may carry fingerprint templates (enrolment from the roster). JSON
// `credentials.fingerprintTemplates: { "<page>": "<base64>" }`, CSV `fingerprint_templates`
// as `page:base64;page:base64`; bad base64 or a size the module does not take is refused
// with line, field and reason like any other roster error.

const KEY = 'ab'.repeat(32);
const fixture = (f: string) =>
  readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'roster', f), 'utf8');
const tpl = (b: number) => Buffer.alloc(512, b);
const b64 = (b: number) => tpl(b).toString('base64');

/** valid.json with templates on R0003 (page 17, already in its fingerprint list) and R0004 (page 40, not). */
function jsonWithTemplates(r3: string, r4 = `{ "40": "${b64(40)}" }`): string {
  return fixture('valid.json')
    .replace('"fingerprint": ["17"] }', `"fingerprint": ["17"], "fingerprintTemplates": { "17": ${r3} } }`)
    .replace(/("id": "R0004",[\s\S]*?"credentials": \{ )/, (m) => `${m}"fingerprintTemplates": ${r4}, `);
}

/** valid.csv with a fingerprint_templates column: R0003 → cell3, R0004 → cell4. */
function csvWithTemplates(cell3: string, cell4 = `40:${b64(40)}`): string {
  const lines = fixture('valid.csv').trimEnd().split('\n');
  return lines
    .map((l, i) => {
      if (i === 0) return `${l},fingerprint_templates`;
      if (l.includes(',R0003,')) return `${l},${cell3}`;
      if (l.includes(',R0004,')) return `${l},${cell4}`;
      return `${l},`;
    })
    .join('\n');
}

t.test('templates from JSON and CSV: same snapshot, ids become fingerprint credentials', async (t) => {
  const j = parseRoster(jsonWithTemplates(`"${b64(17)}"`), 'json', KEY);
  const c = parseRoster(csvWithTemplates(`17:${b64(17)}`), 'csv', KEY);
  t.same(j.errors, []);
  t.same(c.errors, []);
  const pick = (s: typeof j.snapshot) =>
    (s?.fingerprintTemplates ?? []).map((f) => [f.key, f.residentId, f.template.toString('hex')]);
  t.same(pick(j.snapshot), [
    ['17', 'R0003', tpl(17).toString('hex')],
    ['40', 'R0004', tpl(40).toString('hex')],
  ]);
  t.same(pick(c.snapshot), pick(j.snapshot), 'CSV reads the same templates');
  t.ok(
    j.snapshot?.credentials.some(
      (x) => x.kind === 'fingerprint' && x.key === '40' && x.residentId === 'R0004',
    ),
    'a template id not in the fingerprint list is a fingerprint credential too',
  );
  t.equal(
    j.snapshot?.credentials.filter((x) => x.kind === 'fingerprint' && x.key === '17').length,
    1,
    'listed and templated: one credential',
  );
  const both = parseRoster(csvWithTemplates(`17:${b64(17)}|18:${b64(18)}`), 'csv', KEY);
  t.same(
    both.snapshot?.fingerprintTemplates?.map((f) => f.key),
    ['17', '18', '40'],
    '| separates entries as in the other list columns',
  );
});

t.test('bad templates are refused with line, field and reason; nothing is imported', async (t) => {
  const short = Buffer.alloc(300, 1).toString('base64');
  const csv = parseRoster(csvWithTemplates(`17:${short}`, `x1:${b64(1)};40:not*base64`), 'csv', KEY);
  t.equal(csv.snapshot, null);
  t.same(
    csv.errors.map((e) => `${e.line} ${e.field}: ${e.reason}`),
    [
      '4 fingerprint_templates: template 17 is 300 bytes; the module takes 512 (one character file)',
      '5 fingerprint_templates: template id "x1" must be a page number 0–65535 (the id is the page on the module)',
      '5 fingerprint_templates: template 40 is not base64',
    ],
  );
  const noColon = parseRoster(csvWithTemplates(b64(17)), 'csv', KEY);
  t.match(noColon.errors, [{ line: 4, field: 'fingerprint_templates', reason: /template_id:base64/ }]);

  // The last base64 group of 512 bytes carries 2 of them: without it, 510.
  const text = jsonWithTemplates(`"${b64(17).slice(0, -4)}"`, '{ "40": 12 }');
  const json = parseRoster(text, 'json', KEY);
  t.equal(json.snapshot, null);
  const lineOf = (needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;
  t.same(
    json.errors.map((e) => [e.line, e.field, e.reason]),
    [
      [
        lineOf('"fingerprintTemplates": { "17"'),
        'credentials.fingerprintTemplates.17',
        'template 17 is 510 bytes; the module takes 512 (one character file)',
      ],
      [
        lineOf('"fingerprintTemplates": { "40"'),
        'credentials.fingerprintTemplates.40',
        'template 40 must be a base64 string',
      ],
    ],
  );
  const notObject = parseRoster(jsonWithTemplates(`"${b64(17)}"`, `["${b64(40)}"]`), 'json', KEY);
  t.match(notObject.errors, [{ field: 'credentials.fingerprintTemplates', reason: /must be an object/ }]);

  const taken = parseRoster(csvWithTemplates(`17:${b64(17)}`, `17:${b64(40)}`), 'csv', KEY);
  t.match(taken.errors, [
    { line: 5, field: 'fingerprint_templates', reason: /already given to resident R0003/ },
  ]);
  t.notOk(JSON.stringify(csv.errors).includes(short), 'errors never echo the template');
});

t.test('base64 and size checks', async (t) => {
  t.type(decodeTemplate(b64(1)), Buffer);
  t.equal(decodeTemplate(''), 'is empty');
  t.equal(decodeTemplate(`${b64(1)}=`), 'is not base64', 'bad padding');
  t.equal(decodeTemplate(tpl(1).toString('base64url')), 'is not base64', 'base64url is not base64');
  t.match(decodeTemplate(Buffer.alloc(1024).toString('base64')), /1024 bytes/);
  t.same(readTemplates(undefined, 'json'), { entries: [], problems: [] });
  t.same(readTemplates('', 'csv'), { entries: [], problems: [] });
  t.match(readTemplates(`70000:${b64(1)}`, 'csv').problems, [{ reason: /page number 0–65535/ }]);
  t.match(readTemplates(`5:${b64(1)};5:${b64(2)}`, 'csv').problems, [
    { reason: 'template 5 is given twice' },
  ]);
});

t.test('templates are stored with the roster and follow their resident', async (t) => {
  const db = openDb(':memory:');
  t.teardown(() => db.close());
  const stored = () =>
    db
      .prepare(
        'SELECT template_id AS id, resident_id AS r, length(template) AS n FROM fingerprint_templates ORDER BY 1',
      )
      .all();
  const s = parseRoster(jsonWithTemplates(`"${b64(17)}"`), 'json', KEY).snapshot!;
  t.match(saveRoster(db, s, 'merge', 1, 'v1'), { templates: 2 });
  t.same(stored(), [
    { id: '17', r: 'R0003', n: 512 },
    { id: '40', r: 'R0004', n: 512 },
  ]);
  t.equal(RosterIndex.load(db).lookup('fingerprint', '40')?.id, 'R0004');

  // A later file without R0004's template: its credentials (and template) become what the file says.
  const plain = parseRoster(fixture('valid.json'), 'json', KEY).snapshot!;
  t.match(saveRoster(db, plain, 'merge', 2, 'v2'), { templates: 0 });
  t.same(stored(), [], 'residents in the file keep exactly the templates it carries');

  // Replace without R0003: moved out, its template kept (as its credentials are).
  saveRoster(db, s, 'merge', 3, 'v3');
  saveRoster(
    db,
    {
      ...s,
      residents: s.residents.filter((r) => r.id !== 'R0003'),
      credentials: s.credentials.filter((c) => c.residentId !== 'R0003'),
      fingerprintTemplates: s.fingerprintTemplates?.filter((f) => f.residentId !== 'R0003'),
    },
    'replace',
    4,
    'v4',
  );
  t.same(stored(), [
    { id: '17', r: 'R0003', n: 512 },
    { id: '40', r: 'R0004', n: 512 },
  ]);
  t.equal(db.prepare("SELECT status FROM residents WHERE id = 'R0003'").pluck().get(), 'moved_out');
});
