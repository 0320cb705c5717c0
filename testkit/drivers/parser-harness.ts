import type { Test } from 'tap';
import type { FrameParser } from '../../drivers/serial/parser.js';
import type { ParserItem } from '../../drivers/serial/splitter.js';
import { type Fixture, noise } from './fixtures.js';

/** Everything a parser emitted for a run, and what it counted. */
export interface ParserRun<F> {
  items: ParserItem<F>[];
  frames: Buffer[];
  discarded: number;
  discardEvents: number;
}

/** Writes the chunks into a fresh parser, ends it, and collects what came out. */
export async function runParser<F>(make: () => FrameParser<F>, chunks: Buffer[]): Promise<ParserRun<F>> {
  const parser = make();
  const items: ParserItem<F>[] = [];
  let discardEvents = 0;
  parser.on('data', (item: ParserItem<F>) => items.push(item));
  parser.on('discard', () => discardEvents++);
  const done = new Promise<void>((resolve, reject) => {
    parser.on('end', resolve);
    parser.on('error', reject);
  });
  for (const c of chunks) parser.write(c);
  parser.end();
  await done;
  const frames = items.flatMap((i) => (i.kind === 'frame' ? [Buffer.from(i.raw)] : []));
  return { items, frames, discarded: parser.discarded, discardEvents };
}

/** Every split of `buf` into two pieces, plus one byte at a time. */
function splits(buf: Buffer): Buffer[][] {
  const out: Buffer[][] = [];
  for (let i = 1; i < buf.length; i++) out.push([buf.subarray(0, i), buf.subarray(i)]);
  out.push([...buf].map((b) => Buffer.from([b])));
  return out;
}

const total = (bufs: Buffer[]) => bufs.reduce((n, b) => n + b.length, 0);

/**
 * Layer (b) of style.md for one protocol: each valid fixture whole, split at every
 * offset, byte by byte, after garbage, and all joined; each invalid fixture yields no
 * frame. Always: bytes in = bytes in frames + bytes discarded (nothing lost silently).
 */
export async function parserLayer<F>(
  t: Test,
  make: () => FrameParser<F>,
  valid: Fixture[],
  invalid: Fixture[],
  opts: { garbage?: Buffer } = {},
): Promise<void> {
  const garbage = opts.garbage ?? noise(97, 7);
  for (const fx of valid) {
    const whole = await runParser(make, [fx.bytes]);
    t.same(whole.frames, [fx.bytes], `whole: ${fx.name}`);
    t.equal(whole.discarded, 0, `whole, nothing discarded: ${fx.name}`);
    let splitOk = true;
    for (const chunks of splits(fx.bytes)) {
      const r = await runParser(make, chunks);
      if (r.frames.length !== 1 || !r.frames[0]?.equals(fx.bytes) || r.discarded !== 0) splitOk = false;
    }
    t.ok(splitOk, `every split and byte by byte: ${fx.name}`);
    const afterGarbage = await runParser(make, [garbage, fx.bytes]);
    t.same(afterGarbage.frames.at(-1), fx.bytes, `after garbage: ${fx.name}`);
    t.equal(
      total(afterGarbage.frames) + afterGarbage.discarded,
      garbage.length + fx.bytes.length,
      `after garbage, every byte accounted for: ${fx.name}`,
    );
  }
  const joined = Buffer.concat(valid.map((f) => f.bytes));
  const all = await runParser(make, [joined]);
  t.same(
    all.frames,
    valid.map((f) => f.bytes),
    'all fixtures joined come out in order',
  );
  t.equal(all.discarded, 0, 'joined: nothing discarded');
  const trickle = await runParser(
    make,
    [...joined].map((b) => Buffer.from([b])),
  );
  t.same(trickle.frames.length, valid.length, 'all fixtures joined, byte by byte');
  for (const fx of invalid) {
    const r = await runParser(make, [fx.bytes]);
    t.equal(r.frames.length, 0, `refused: ${fx.name}`);
    t.equal(r.discarded, fx.bytes.length, `refused bytes are counted as discarded: ${fx.name}`);
    t.ok(r.discardEvents > 0, `refused bytes are announced: ${fx.name}`);
  }
  // An invalid frame must not hide a valid one that follows it.
  const mixed = invalid.flatMap((bad, i) => [bad.bytes, valid[i % valid.length]?.bytes ?? Buffer.alloc(0)]);
  const m = await runParser(make, mixed);
  const wantMixed = invalid.map((_, i) => valid[i % valid.length]?.bytes);
  t.same(m.frames, wantMixed, 'each valid frame after an invalid one is still found');
  t.equal(total(m.frames) + m.discarded, total(mixed), 'mixed: every byte accounted for');
}
