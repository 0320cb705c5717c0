import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import {
  fingerprint,
  keyId,
  publicKeyFromText,
  rawPublicKey,
  type Signature,
  signBytes,
  verifyBytes,
} from '../../core/signing.js';
import { readZip, writeZip, type ZipEntry } from '../../core/zip.js';
import { readThumb } from './evidence-refs.js';
import { refsOnly } from './handover.js';
import type { CoverInfo } from './handover-cover.js';

/** The format name of a package manifest. */
export const HANDOVER_FORMAT = 'estate-handover/1';
const MANIFEST = 'manifest.json';
const SIGNATURE = 'manifest.sig';

/** One file of a package, as the manifest lists it. */
export interface ManifestFile {
  path: string;
  sha256: string;
  bytes: number;
}

/** The signed manifest of a package. */
export interface HandoverManifest {
  format: typeof HANDOVER_FORMAT;
  packageId: string;
  caseId: string;
  estate: { id: string; name: string };
  gatewayId: string;
  createdAt: string;
  key: { alg: 'Ed25519'; keyId: string; fingerprint: string; publicKey: string };
  files: ManifestFile[];
}

/** What a package is built from. */
export interface PackageInput {
  packageId: string;
  caseId: string;
  caseLabel: string;
  place: string;
  /** The case's hand-over JSON as fixed at hand-over (cases.handover), byte for byte. */
  handoverJson: string;
  /** Put the referenced thumbnails in (config ledger.handoverImages); references only otherwise. */
  images: boolean;
  dataDir: string;
  key: KeyObject;
  estate: { id: string; name: string };
  gatewayId: string;
  now: number;
  fallbackFont: string | null;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const listed = (path: string, data: Buffer): ManifestFile => ({
  path,
  sha256: sha256(data),
  bytes: data.length,
});

const README = `移交城管证据包 / Hand-over package

cover.pdf        封面：证据包编号、案件、文件清单与签名密钥指纹 / cover page with the key fingerprint
manifest.json    每个文件的 SHA-256 / SHA-256 of every file
manifest.sig     网关 Ed25519 签名（对 manifest.json 原始字节）/ the gateway's Ed25519 signature over manifest.json
gateway-key.pem  签名公钥 / the public key (compare its fingerprint with the one the district registered)
case.json        案件、时间线、房屋、登记人员（脱敏）、通行记录、巡查、举报 / the case and its evidence
images/          人脸缩略图（如配置提供）/ face thumbnails, when configured

校验 / verify:  estate-gateway handover verify 证据包.zip [--pubkey 公钥]
`;

/**
 * Builds a signed hand-over package (issue 14): a ZIP with a cover page, the case JSON, the
 * thumbnails it references (read now, through the strict reference check), the public key,
 * and a manifest of every file's SHA-256 signed with the gateway's Ed25519 key. Returns the
 * archive, its manifest and digests, and how many referenced images were no longer there.
 */
export async function buildHandoverPackage(i: PackageInput): Promise<{
  zip: Buffer;
  manifest: HandoverManifest;
  sha256: string;
  missingImages: number;
}> {
  const files: ZipEntry[] = [];
  const pub = createPublicKey(i.key);
  const pem = Buffer.from(pub.export({ format: 'pem', type: 'spki' }).toString());
  files.push({ name: 'README.txt', data: Buffer.from(README) });
  files.push({ name: 'gateway-key.pem', data: pem });
  files.push({ name: 'case.json', data: Buffer.from(i.handoverJson, 'utf8') });
  let missingImages = 0;
  if (i.images) {
    for (const ref of thumbRefs(i.handoverJson)) {
      const { data } = await readThumb(i.dataDir, ref);
      if (data === null) missingImages++;
      else files.push({ name: `images/${ref.slice('thumbs/'.length).replace('/', '-')}`, data });
    }
  }
  const key = {
    alg: 'Ed25519' as const,
    keyId: keyId(pub),
    fingerprint: fingerprint(pub),
    publicKey: rawPublicKey(pub).toString('base64'),
  };
  const cover: CoverInfo = {
    packageId: i.packageId,
    caseId: i.caseId,
    caseLabel: i.caseLabel,
    estate: i.estate,
    gatewayId: i.gatewayId,
    place: i.place,
    createdAt: i.now,
    files: files.map((f) => listed(f.name, f.data)),
    keyId: key.keyId,
    fingerprint: key.fingerprint,
    fallbackFont: i.fallbackFont,
  };
  // pdfkit and fontkit load at the first package, not at the daemon's start (issue 15: RSS).
  const { handoverCoverPdf } = await import('./handover-cover.js');
  files.unshift({ name: 'cover.pdf', data: await handoverCoverPdf(cover) });
  const manifest: HandoverManifest = {
    format: HANDOVER_FORMAT,
    packageId: i.packageId,
    caseId: i.caseId,
    estate: i.estate,
    gatewayId: i.gatewayId,
    createdAt: new Date(i.now).toISOString(),
    key,
    files: files.map((f) => listed(f.name, f.data)),
  };
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  const sig = Buffer.from(`${JSON.stringify(signBytes(manifestBytes, i.key))}\n`);
  const zip = writeZip([
    files[0] as ZipEntry,
    { name: MANIFEST, data: manifestBytes },
    { name: SIGNATURE, data: sig },
    ...files.slice(1),
  ]);
  return { zip, manifest, sha256: sha256(zip), missingImages };
}

/**
 * The thumbnail references a hand-over JSON cites: its `thumbnails` list only, each in the
 * id format (evidence-refs.ts; issue 9: free text is never taken for a reference).
 */
function thumbRefs(json: string): string[] {
  return [...new Set(refsOnly(JSON.parse(json) as { thumbnails?: unknown }).map((t) => t.ref))].sort();
}

/** What verifying a package found. */
export interface PackageCheck {
  ok: boolean;
  problems: string[];
  manifest: HandoverManifest | null;
}

/**
 * Checks a package as the recipient would: the manifest's signature with the key it names
 * (and, when `trusted` is given, that the key is one of those), every listed file present
 * with its SHA-256 and size, no file that the manifest does not list. Total: any bytes give
 * a verdict and the problems, never an exception.
 */
export function verifyHandoverPackage(zip: Buffer, trusted: readonly KeyObject[] = []): PackageCheck {
  const z = readZip(zip);
  if (!z.ok) return { ok: false, problems: [z.why], manifest: null };
  const byName = new Map(z.entries.map((e) => [e.name, e.data]));
  const mBytes = byName.get(MANIFEST);
  const sBytes = byName.get(SIGNATURE);
  if (!mBytes || !sBytes)
    return { ok: false, problems: ['manifest.json or manifest.sig is missing'], manifest: null };
  let manifest: HandoverManifest;
  let sig: Signature;
  try {
    manifest = JSON.parse(mBytes.toString('utf8')) as HandoverManifest;
    sig = JSON.parse(sBytes.toString('utf8')) as Signature;
  } catch {
    return { ok: false, problems: ['manifest.json or manifest.sig is not JSON'], manifest: null };
  }
  if (
    manifest?.format !== HANDOVER_FORMAT ||
    !Array.isArray(manifest.files) ||
    typeof manifest.key?.publicKey !== 'string'
  )
    return { ok: false, problems: [`manifest.json is not an ${HANDOVER_FORMAT} manifest`], manifest: null };
  const problems: string[] = [];
  let key: KeyObject | null = null;
  try {
    key = publicKeyFromText(manifest.key.publicKey);
  } catch (err) {
    problems.push(`the manifest's key: ${(err as Error).message}`);
  }
  if (key) {
    if (keyId(key) !== manifest.key.keyId || fingerprint(key) !== manifest.key.fingerprint)
      problems.push("the manifest's key id or fingerprint does not belong to its key");
    if (!verifyBytes(mBytes, sig, key))
      problems.push(
        'the signature of manifest.json does not verify: the manifest was changed or signed by another key',
      );
    if (trusted.length > 0 && !trusted.some((k) => keyId(k) === keyId(key as KeyObject)))
      problems.push(`signed by key ${keyId(key)}, not by the expected gateway key`);
  }
  const listedNames = new Set<string>();
  for (const f of manifest.files) {
    listedNames.add(f.path);
    const data = byName.get(f.path);
    if (!data) problems.push(`${f.path}: listed but missing`);
    else if (data.length !== f.bytes || sha256(data) !== f.sha256)
      problems.push(`${f.path}: SHA-256 does not match: the file was changed`);
  }
  for (const name of byName.keys())
    if (name !== MANIFEST && name !== SIGNATURE && !listedNames.has(name))
      problems.push(`${name}: not in the manifest`);
  return { ok: problems.length === 0, problems, manifest };
}
