import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';

/**
 * The layering of docs/architecture.md, enforced by dependency-cruiser with the rules in
 * .dependency-cruiser.cjs: arrows only point down, and there are no cycles.
 */
const ROOT = path.join(import.meta.dirname, '..', '..');
const DEPCRUISE = path.join(ROOT, 'node_modules', '.bin', 'depcruise');
const LAYERS = ['core', 'drivers', 'gateway', 'sim', 'cli', 'testkit', 'bench', 'test', 'ui/src'];

function cruise(
  cwd: string,
  dirs: string[],
  config: string,
  extra: string[] = [],
): { status: number | null; out: string } {
  const r = spawnSync(DEPCRUISE, ['--config', config, '--output-type', 'err', ...extra, ...dirs], {
    cwd,
    encoding: 'utf8',
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

t.test('the code base has no arrow that runs back up and no cycle', (t) => {
  const r = cruise(ROOT, LAYERS, path.join(ROOT, '.dependency-cruiser.cjs'));
  t.equal(r.status, 0, r.out);
  t.match(r.out, /no dependency violations found/);
  t.end();
});

t.test('the rules catch a planted upward import, an npm import in core and a cycle', (t) => {
  const dir = t.testdir({});
  const put = (file: string, body: string): void => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), body);
  };
  copyFileSync(path.join(ROOT, '.dependency-cruiser.cjs'), path.join(dir, '.dependency-cruiser.cjs'));
  put(
    'tsconfig.json',
    JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }),
  );
  put('gateway/store.ts', 'export const store = 1;\n');
  put('drivers/x/driver.ts', "import { store } from '../../gateway/store.js';\nexport const d = store;\n");
  put('core/codes.ts', "import { store } from '../gateway/store.js';\nexport const c = store;\n");
  put('sim/a.ts', "import { b } from './b.js';\nexport const a = () => b;\n");
  put('sim/b.ts', "import { a } from './a.js';\nexport const b = () => a;\n");
  const r = cruise(dir, ['core', 'drivers', 'gateway', 'sim'], '.dependency-cruiser.cjs');
  t.not(r.status, 0, 'the check fails');
  t.match(r.out, /drivers-import-core-only: drivers\/x\/driver\.ts → gateway\/store\.ts/);
  t.match(r.out, /core-imports-nothing: core\/codes\.ts → gateway\/store\.ts/);
  t.match(r.out, /no-cycles: sim\/a\.ts/);
  t.end();
});
