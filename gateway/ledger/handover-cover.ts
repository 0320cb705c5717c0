import PDFDocument from 'pdfkit';
import { LOCAL_OFFSET_MS } from '../../core/time.js';
import { PdfText } from './pdf-text.js';

/** What the cover page says. */
export interface CoverInfo {
  packageId: string;
  caseId: string;
  /** 疑似转租… */
  caseLabel: string;
  estate: { id: string; name: string };
  gatewayId: string;
  /** Building and room, or '—'. */
  place: string;
  createdAt: number;
  /** Every other file of the package with its SHA-256. */
  files: Array<{ path: string; sha256: string; bytes: number }>;
  keyId: string;
  /** The signing key's fingerprint: what the recipient compares with the one the district published. */
  fingerprint: string;
  fallbackFont: string | null;
}

const local = (t: number) => new Date(t + LOCAL_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');

/**
 * The cover page of a hand-over package (移交城管证据包): what it is, where from, the files
 * it holds with their SHA-256, and — large, to be read aloud over the phone — the fingerprint
 * of the gateway key that signed its manifest (issue 14).
 */
export function handoverCoverPdf(c: CoverInfo): Promise<Buffer> {
  const text = new PdfText(c.fallbackFont);
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: {
      Title: `移交城管证据包 ${c.packageId}`,
      Author: `estate-gateway ${c.gatewayId}`,
      CreationDate: new Date(c.createdAt),
    },
  });
  doc.registerFont('main', text.main.file);
  if (text.fallback) doc.registerFont('fallback', text.fallback.file, text.fallback.postscriptName);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (b: Buffer) => chunks.push(b));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const write = (s: string, size: number, opts: PDFKit.Mixins.TextOptions = {}) => {
    const p = text.pick(s);
    doc.font(p.font).fontSize(size).text(p.text, opts);
  };
  write('移交城管证据包', 20, { align: 'center' });
  write(`${c.estate.name}（${c.estate.id}）`, 12, { align: 'center' });
  doc.moveDown(1.5);
  for (const [k, v] of [
    ['证据包编号', c.packageId],
    ['案件编号', c.caseId],
    ['案件类型', c.caseLabel],
    ['涉及房屋', c.place],
    ['生成网关', c.gatewayId],
    ['生成时间', local(c.createdAt)],
  ] as const)
    write(`${k}：${v}`, 11);
  doc.moveDown(1);
  write('签名密钥指纹（SHA-256，Ed25519）', 12);
  write(c.fingerprint, 14);
  write(`密钥编号 ${c.keyId}`, 9);
  doc.moveDown(0.5);
  write(
    '本包 manifest.json 列出每个文件的 SHA-256，并由网关密钥签名（manifest.sig）。请将上面的指纹与区平台登记的网关指纹核对，再用 estate-gateway handover verify 证据包.zip 校验：任何文件改动一个字节，校验即失败。',
    9,
  );
  doc.moveDown(1);
  write('包内文件', 12);
  for (const f of c.files) write(`${f.path}　${f.bytes} 字节\nSHA-256 ${f.sha256}`, 8);
  doc.end();
  return done;
}
