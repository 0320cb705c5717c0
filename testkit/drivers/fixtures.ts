import { readFileSync } from 'node:fs';
import { fromHex } from '../../drivers/serial/options.js';

/** One fixture frame: its bytes and the comment that says what it is. */
export interface Fixture {
  name: string;
  bytes: Buffer;
  /** `valid` or the error code the line's `!CODE` tag expects. */
  expect: string;
  /** Fields the decoded frame must have, from `=> {json}` in the comment. */
  want: Record<string, unknown> | undefined;
}

/**
 * Reads test/fixtures/<proto>/<file>.hex: one frame per line in hex, `#` comments. A
 * comment on the line before names the frame; a trailing `!CODE` in that comment marks
 * a frame that must be rejected with that error code.
 */
export function loadFixtures(proto: string, file: string): Fixture[] {
  const url = new URL(`../../test/fixtures/${proto}/${file}`, import.meta.url);
  const out: Fixture[] = [];
  let comment = '';
  for (const raw of readFileSync(url, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      comment = line.slice(1).trim();
      continue;
    }
    const tag = /!([A-Z_]+)\s*$/.exec(comment);
    const json = /=>\s*(\{.*\})/.exec(comment)?.[1];
    const want = json === undefined ? undefined : (JSON.parse(json) as Record<string, unknown>);
    out.push({ name: comment || line, bytes: fromHex(line), expect: tag?.[1] ?? 'valid', want });
    comment = '';
  }
  return out;
}

/** Deterministic pseudo-random bytes (mulberry32), so failures reproduce. */
export function noise(n: number, seed = 1): Buffer {
  let s = seed >>> 0;
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return out;
}
