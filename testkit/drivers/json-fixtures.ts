import { readFileSync } from 'node:fs';

/** One fixture message of a JSON protocol: its topic (or path), payload, and what parsing must give. */
export interface JsonFixture {
  name: string;
  topic: string;
  /** The payload's bytes (an object in the file is serialised; a string is taken as it is). */
  payload: Buffer;
  /** `valid`, or the reject reason expected. */
  expect: string;
  /** Fields the parsed message must have. */
  want?: Record<string, unknown>;
}

/** Reads test/fixtures/<proto>/<file>.jsonl: one fixture per line. */
export function loadJsonFixtures(proto: string, file: string): JsonFixture[] {
  const url = new URL(`../../test/fixtures/${proto}/${file}`, import.meta.url);
  return readFileSync(url, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const f = JSON.parse(l) as Omit<JsonFixture, 'payload'> & { payload: unknown };
      const payload = Buffer.from(typeof f.payload === 'string' ? f.payload : JSON.stringify(f.payload));
      return { ...f, payload };
    });
}
