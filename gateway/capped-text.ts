/**
 * A fetch answer's body as text, read no further than `max` bytes: a peer that answers with
 * too much (a wrong URL pointing at something that streams, a hostile platform) is cut off,
 * not buffered. A declared length over `max` is refused before any of the body is read.
 * `tooLarge` builds the caller's own error; it gets the declared length, or null when the
 * body ran past `max` as it streamed.
 */
export async function cappedText(
  res: Response,
  max: number,
  tooLarge: (declared: number | null) => Error,
): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (declared > max) {
    await res.body?.cancel();
    throw tooLarge(declared);
  }
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw tooLarge(null);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
