/**
 * Bundles the dashboard for the browser (issue 8): ui/src/app.ts and ui/src/login.ts, with
 * what they import (core/codes.ts, the code table the server labels with), into
 * dist/ui/app.js and dist/ui/login.js — plain ES modules the gateway serves from /ui/
 * (gateway/web/ui-assets.ts) under `default-src 'self'`: no eval, no CDN. Type-checking is
 * `tsc -p ui/tsconfig.json` (esbuild strips types without checking them).
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.join(import.meta.dirname, '..');
const outdir = path.join(root, 'dist', 'ui');

// The modules of an earlier build would still be served: start from an empty directory.
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [path.join(root, 'ui/src/app.ts'), path.join(root, 'ui/src/login.ts')],
  outdir,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  platform: 'browser',
  // Chinese strings stay readable in the served file (it is sent as UTF-8).
  charset: 'utf8',
  legalComments: 'none',
  logLevel: 'warning',
});
