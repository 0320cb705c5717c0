import t from 'tap';
import { cappedText } from '../../gateway/capped-text.js';

// gateway/capped-text.ts: what a roster pull, a VIID platform and an embedding service answer
// is read no further than its limit.

const tooLarge = (declared: number | null) => new Error(`too large (${declared ?? 'streamed'})`);

/** A body that streams `chunks` of `size` bytes and counts how many were pulled. */
function streamed(chunks: number, size: number): { res: Response; pulled: () => number } {
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (pulled === chunks) return c.close();
      pulled++;
      c.enqueue(new Uint8Array(size).fill(0x61));
    },
  });
  return { res: new Response(body), pulled: () => pulled };
}

t.test('a body within the limit is read whole', async (t) => {
  t.equal(await cappedText(new Response('名单 ok'), 100, tooLarge), '名单 ok');
  t.equal(await cappedText(new Response(null), 100, tooLarge), '', 'no body is empty text');
  const { res } = streamed(4, 25);
  t.equal((await cappedText(res, 100, tooLarge)).length, 100, 'exactly the limit passes');
});

t.test('a declared length over the limit is refused before the body is read', async (t) => {
  const { res, pulled } = streamed(1000, 1000);
  const declared = new Response(res.body, { headers: { 'content-length': '1000000' } });
  await t.rejects(cappedText(declared, 100, tooLarge), { message: 'too large (1000000)' });
  t.ok(pulled() <= 1, 'at most the first chunk was pulled (the stream primes one)');
});

t.test('a body that streams past the limit is cut off there', async (t) => {
  const { res, pulled } = streamed(1000, 64);
  await t.rejects(cappedText(res, 100, tooLarge), { message: 'too large (streamed)' });
  t.ok(pulled() < 5, `stopped after ${pulled()} chunks of 1,000`);
});
