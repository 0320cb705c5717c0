import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import t from 'tap';
import { lineBatches, splitLines } from '../../gateway/replay/lines.js';

/** What readline (the replay's reader before) gives for the same bytes. */
async function viaReadline(chunks: Buffer[]): Promise<string[]> {
  const out: string[] = [];
  for await (const line of createInterface({ input: Readable.from(chunks), crlfDelay: Infinity }))
    out.push(line);
  return out;
}

async function viaBatches(chunks: Buffer[]): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of lineBatches(Readable.from(chunks))) out.push(...batch);
  return out;
}

const TEXT = '{"a":1}\n{"b":"二号楼"}\r\n\n{"c":3}\r{"d":"é"}\r\n\r\n{"e":5}\n\r\n{"f":"末尾没有换行"}';

t.test('the lines readline gives, wherever the chunks are cut', async (t) => {
  const bytes = Buffer.from(TEXT, 'utf8');
  const want = await viaReadline([bytes]);
  t.same(want.length, 9, 'the text has nine lines, three of them empty');
  // Every cut in two (through \r\n pairs and multi-byte characters), then cuts into tiny chunks.
  for (let cut = 0; cut <= bytes.length; cut++) {
    const got = await viaBatches([bytes.subarray(0, cut), bytes.subarray(cut)].filter((b) => b.length > 0));
    t.same(got, want, `cut at byte ${cut}`);
  }
  for (const size of [1, 2, 3, 5, 7]) {
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
    t.same(await viaBatches(chunks), want, `chunks of ${size} bytes`);
  }
});

t.test('a final line ending, or a final \\r, adds no empty line', async (t) => {
  for (const text of ['x\ny\n', 'x\ny\r\n', 'x\ny\r', 'x\ny']) {
    const chunks = [Buffer.from(text)];
    t.same(await viaBatches(chunks), await viaReadline(chunks), JSON.stringify(text));
    t.same(await viaBatches(chunks), ['x', 'y']);
  }
  t.same(await viaBatches([]), []);
});

t.test('splitLines keeps what follows the last ending, a trailing \\r included', async (t) => {
  const out: string[] = [];
  t.equal(splitLines('a\nb\r\nc', out), 'c');
  t.same(out, ['a', 'b']);
  const out2: string[] = [];
  t.equal(splitLines('a\r', out2), 'a\r');
  t.same(out2, []);
});
