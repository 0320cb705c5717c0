import path from 'node:path';
import * as fontkit from 'fontkit';
import { PACKAGE_ROOT } from '../version.js';

/** The bundled CJK font (assets/fonts/README.md): Noto Sans SC, cut to GB 2312. */
export const BUNDLED_FONT = path.join(PACKAGE_ROOT, 'assets', 'fonts', 'NotoSansSC-Regular-gb2312.ttf');

/** What stands for a character no font has. */
const MISSING = '□';

type Face = { hasGlyphForCodePoint(cp: number): boolean };

/** Opens a font file (TTF/OTF, or the Simplified Chinese face of a TTC). */
function openFace(file: string): { face: Face; postscriptName: string | undefined } {
  const f = fontkit.openSync(file) as unknown as {
    fonts?: Array<Face & { postscriptName: string }>;
  } & Face & {
      postscriptName: string;
    };
  if (Array.isArray(f.fonts)) {
    const face = f.fonts.find((x) => /SC\b|SC-|SansSC|GB/.test(x.postscriptName)) ?? f.fonts[0];
    if (!face) throw new Error(`${file} holds no font`);
    return { face, postscriptName: face.postscriptName };
  }
  return { face: f, postscriptName: undefined };
}

/**
 * The fonts of a PDF and which one draws a given string: the bundled subset when it has
 * every character, else the configured fallback (reports.pdfFont) when that has them, else
 * the bundled one with the missing characters as □ — counted, so a report that lost a rare
 * character is known rather than silently wrong.
 */
export class PdfText {
  readonly main: { file: string; face: Face };
  readonly fallback: { file: string; face: Face; postscriptName: string | undefined } | null;
  #missing = 0;

  constructor(fallbackFile: string | null) {
    this.main = { file: BUNDLED_FONT, face: openFace(BUNDLED_FONT).face };
    this.fallback = fallbackFile ? { file: fallbackFile, ...openFace(fallbackFile) } : null;
  }

  /** Characters shown as □ so far. */
  get missing(): number {
    return this.#missing;
  }

  /** The font name to draw `s` with ('main' or 'fallback') and the text to draw. */
  pick(s: string): { font: 'main' | 'fallback'; text: string } {
    const covered = (f: Face) =>
      [...s].every((ch) => /\s/.test(ch) || f.hasGlyphForCodePoint(ch.codePointAt(0) ?? 0));
    if (covered(this.main.face)) return { font: 'main', text: s };
    if (this.fallback && covered(this.fallback.face)) return { font: 'fallback', text: s };
    let text = '';
    for (const ch of s) {
      if (/\s/.test(ch) || this.main.face.hasGlyphForCodePoint(ch.codePointAt(0) ?? 0)) text += ch;
      else {
        text += MISSING;
        this.#missing++;
      }
    }
    return { font: 'main', text };
  }
}
