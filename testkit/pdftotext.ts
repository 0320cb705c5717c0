import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpDir } from './tmp.js';

/**
 * A PDF's text as pdftotext (poppler-utils; .ci/run installs it) reads it, whitespace folded
 * to single spaces: the report PDFs' tests read their Chinese back this way, so a font that
 * does not embed, a wrong encoding or boxes instead of characters fail. `layout` keeps each
 * printed line together (a label then its right-aligned value) instead of reading the
 * labels' column before the values'.
 */
export function pdfText(pdf: Buffer, opts: { layout?: boolean } = {}): string {
  const { dir, cleanup } = tmpDir('pdf-');
  try {
    const file = path.join(dir, 'r.pdf');
    writeFileSync(file, pdf);
    const out = spawnSync('pdftotext', [...(opts.layout ? ['-layout'] : []), '-enc', 'UTF-8', file, '-'], {
      encoding: 'utf8',
    });
    if (out.error || out.status !== 0)
      throw new Error(
        `pdftotext failed (apt-get install poppler-utils): ${out.error?.message ?? out.stderr}`,
      );
    return out.stdout.replace(/\s+/g, ' ');
  } finally {
    cleanup();
  }
}
