/**
 * A streamed request body read no further than a limit: the one reader of both bounded routes
 * (the webhook routes' body limit in ./app, `/collect/cartful` in ./collectRoute). A body sent
 * without a declared length can be any size, so it is read chunk by chunk and dropped as soon as
 * it passes the limit (the rest is never read); what was read comes back as one array.
 *
 * @example
 * ```ts
 * const bytes = await readUpTo(request.body!, 16 * 1024); // undefined: over the limit
 * ```
 */

/**
 * The stream's bytes, or `undefined` as soon as they pass `max` (the stream is then cancelled).
 * Throws what the stream throws when it breaks off.
 */
export async function readUpTo(body: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array | undefined> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
