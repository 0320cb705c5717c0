import PDFDocument from 'pdfkit';
import { LOCAL_OFFSET_MS } from '../../core/time.js';
import { PdfText } from './pdf-text.js';

/** What every report PDF is made with. */
export interface PdfPageOptions {
  /** The document's title (its metadata, not drawn). */
  title: string;
  gatewayId: string;
  /** When it is made (ms). */
  now: number;
  /** reports.pdfFont: a font for characters outside the bundled subset. */
  fallbackFont: string | null;
}

/** A label and its value: one line of a report's table. */
export type PdfRow = [string, string | number];

/** The drawing verbs the report PDFs share. */
export interface PdfPage {
  /** A line of text in the font that has its characters (PdfText.pick). */
  write(s: string, size: number, opts?: PDFKit.Mixins.TextOptions): void;
  /** A section heading. */
  heading(s: string): void;
  /** Vertical space, in lines. */
  gap(lines: number): void;
  /** Label left, value right, one line each, then a gap. */
  rows(items: PdfRow[]): void;
  /** The lines to sign and who made it when; ends the document and resolves with its bytes. */
  finish(): Promise<{ pdf: Buffer; missingGlyphs: number }>;
}

/**
 * An A4 PDF with the bundled Noto Sans SC subset (and reports.pdfFont) registered, and the
 * few verbs the monthly report (issue 14) and the inspection report (issue 16) draw with,
 * so both look alike and count the characters no font has the same way.
 */
export function pdfPage(o: PdfPageOptions): PdfPage {
  const text = new PdfText(o.fallbackFont);
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: { Title: o.title, Author: `estate-gateway ${o.gatewayId}`, CreationDate: new Date(o.now) },
  });
  doc.registerFont('main', text.main.file);
  if (text.fallback) doc.registerFont('fallback', text.fallback.file, text.fallback.postscriptName);
  const chunks: Buffer[] = [];
  const done = new Promise<{ pdf: Buffer; missingGlyphs: number }>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve({ pdf: Buffer.concat(chunks), missingGlyphs: text.missing }));
    doc.on('error', reject);
  });
  const write = (s: string, size: number, opts: PDFKit.Mixins.TextOptions = {}) => {
    const p = text.pick(s);
    doc.font(p.font).fontSize(size).text(p.text, opts);
  };
  return {
    write,
    heading: (s) => write(s, 13),
    gap: (lines) => {
      doc.moveDown(lines);
    },
    rows(items) {
      for (const [k, v] of items) {
        const y = doc.y;
        write(k, 11, { width: 300 });
        doc.y = y;
        write(String(v), 11, { align: 'right', width: doc.page.width - 100 });
      }
      doc.moveDown(0.6);
    },
    finish() {
      doc.moveDown(2);
      write('制表人：____________　　审核人：____________　　日期：____________', 11);
      doc.moveDown(1);
      const at = new Date(o.now + LOCAL_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
      write(`由门禁网关 ${o.gatewayId} 于 ${at} 生成`, 8, { align: 'right' });
      doc.end();
      return done;
    },
  };
}
