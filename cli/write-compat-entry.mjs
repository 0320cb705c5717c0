// Writes dist/gateway/cli/main.js, the entry point's path before issue 8 moved the command
// line to cli/. Installed units, scripts and outside tools (shared/bench) start the
// gateway by that path; it stays a one-line alias of dist/cli/main.js. Run by `npm run build`.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = path.join(import.meta.dirname, '..', 'dist', 'gateway', 'cli');
mkdirSync(dir, { recursive: true });
writeFileSync(
  path.join(dir, 'main.js'),
  "#!/usr/bin/env -S node --max-semi-space-size=4 --max-old-space-size=256\n// The old path of dist/cli/main.js (cli/write-compat-entry.mjs).\nimport '../../cli/main.js';\n",
  { mode: 0o755 },
);
