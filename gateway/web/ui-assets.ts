import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PACKAGE_ROOT } from '../version.js';

/** One static file of the dashboard, held in memory (the whole UI is a few hundred KB). */
export interface Asset {
  body: Buffer;
  gzip: Buffer | null;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Where the dashboard's files are: pages and styles in ui/, compiled scripts in dist/ui/. */
export const UI_DIR = path.join(PACKAGE_ROOT, 'ui');
export const UI_BUILD_DIR = path.join(PACKAGE_ROOT, 'dist', 'ui');

/**
 * Static files by URL path, read once on first use and gzipped once. Only names in this
 * directory listing are served (no path from the request ever reaches the file system).
 */
export class UiAssets {
  readonly #cache = new Map<string, Asset | null>();
  readonly #files: Map<string, string>;

  constructor(files: Map<string, string>) {
    this.#files = files;
  }

  /** Entries cached: at most the number of known files. */
  get cached(): number {
    return this.#cache.size;
  }

  /** The asset at a URL path, or null when there is none (or it was not built). */
  get(urlPath: string): Asset | null {
    if (this.#cache.has(urlPath)) return this.#cache.get(urlPath) ?? null;
    const file = this.#files.get(urlPath);
    // Only the fixed list of files is ever read or cached: the path of a request picks an
    // entry, never a file, and an unknown path is not remembered (a public route: no
    // cache a stranger could grow with made-up URLs; issue 9 audit).
    if (!file) return null;
    let a: Asset | null = null;
    try {
      const body = readFileSync(file);
      const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
      a = {
        body,
        gzip: body.length > 1024 ? gzipSync(body, { level: 6 }) : null,
        type,
        etag: `"${body.length.toString(36)}-${hash(body)}"`,
      };
    } catch {
      a = null;
    }
    this.#cache.set(urlPath, a);
    return a;
  }
}

function hash(b: Buffer): string {
  let h = 2166136261;
  for (let i = 0; i < b.length; i += 7) h = Math.imul(h ^ (b[i] ?? 0), 16777619);
  return (h >>> 0).toString(36);
}

/** The compiled modules in dist/ui (empty before `npm run build`). */
function builtModules(): string[] {
  try {
    return (readdirSync(UI_BUILD_DIR, { recursive: true }) as string[])
      .filter((f) => f.endsWith('.js'))
      .map((f) => f.split(path.sep).join('/'));
  } catch {
    return [];
  }
}

/** The dashboard's files: shells, styles, compiled modules and the chart library. */
export function defaultUiFiles(modules: readonly string[] = builtModules()): Map<string, string> {
  const m = new Map<string, string>([
    ['/', path.join(UI_DIR, 'index.html')],
    ['/login', path.join(UI_DIR, 'login.html')],
    ['/ui/styles.css', path.join(UI_DIR, 'styles.css')],
    ['/ui/favicon.svg', path.join(UI_DIR, 'favicon.svg')],
  ]);
  for (const mod of modules) m.set(`/ui/${mod}`, path.join(UI_BUILD_DIR, mod));
  const require = createRequire(import.meta.url);
  m.set('/ui/vendor/echarts.min.js', require.resolve('echarts/dist/echarts.min.js'));
  return m;
}
