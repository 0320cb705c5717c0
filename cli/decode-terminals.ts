import { readFile } from 'node:fs/promises';
import { describeDahuaCapture } from '../drivers/dahua/describe.js';
import { describeHikCapture } from '../drivers/hikvision-isapi/describe.js';
import type { CaptureLine } from '../drivers/http/describe-read.js';
import { UsageError } from './args.js';

/**
 * The HTTP terminal protocols `decode` knows (issue 11), by their driver names: their input
 * is a captured body or stream file, not hex.
 */
export const TERMINAL_PROTOCOLS = ['hikvision-isapi', 'dahua'] as const;

/** Options of a terminal capture decode. */
export interface TerminalDecodeOptions {
  contentType?: string;
  unmasked?: boolean;
  cardFormat?: string;
  utcOffsetMinutes?: string;
}

/** True when `protocol` is one of the HTTP terminals' (a capture file, not hex). */
export function isTerminalProtocol(protocol: string): boolean {
  return (TERMINAL_PROTOCOLS as readonly string[]).includes(protocol);
}

/** Decodes one capture of a terminal protocol with its driver's own parser; never throws on any bytes. */
export function decodeCapture(protocol: string, bytes: Buffer, o: TerminalDecodeOptions = {}): CaptureLine[] {
  if (o.cardFormat !== undefined && o.cardFormat !== 'hex' && o.cardFormat !== 'decimal')
    throw new UsageError('--card-format must be hex or decimal');
  const zone = o.utcOffsetMinutes === undefined ? undefined : Number(o.utcOffsetMinutes);
  if (zone !== undefined && (!Number.isInteger(zone) || zone < -720 || zone > 840))
    throw new UsageError('--utc-offset-minutes must be an integer from -720 to 840');
  const common = {
    ...(o.contentType ? { contentType: o.contentType } : {}),
    ...(o.cardFormat ? { cardFormat: o.cardFormat as 'hex' | 'decimal' } : {}),
    ...(zone !== undefined ? { utcOffsetMinutes: zone } : {}),
    unmasked: o.unmasked === true,
  };
  return protocol === 'dahua' ? describeDahuaCapture(bytes, common) : describeHikCapture(bytes, common);
}

/** The capture's bytes: the files named (each decoded on its own), or stdin when there are none. */
export async function readCaptures(files: string[]): Promise<Array<{ name: string; bytes: Buffer }>> {
  if (files.length > 0) return Promise.all(files.map(async (f) => ({ name: f, bytes: await readFile(f) })));
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return [{ name: '-', bytes: Buffer.concat(chunks) }];
}
