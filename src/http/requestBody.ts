/**
 * A request's body read no further than a limit, and decoded as strict UTF-8: the one body reader
 * of the bounded routes (the webhook routes' body limit in ./app, `/collect/cartful` in
 * ./collectRoute). A body of declared length is refused on its header alone when it is over the
 * limit, else read at once (the runtime holds a body to its declared length). A body sent without
 * one can be any size, so it is read chunk by chunk and dropped as soon as it passes the limit
 * (the rest is never read).
 *
 * @example
 * ```ts
 * const bytes = await readBody(request, 16 * 1024); // undefined: over the limit; throws: broken off
 * JSON.parse(strictUtf8.decode(bytes));
 * ```
 */

/** Strict UTF-8 (a malformed byte is an error, not U+FFFD); one for the isolate, as it keeps no state between calls. */
export const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * The request's body (empty when it has none), or `undefined` when it is over `max` bytes.
 * Throws what the body throws when it breaks off.
 */
export async function readBody(request: Request, max: number): Promise<Uint8Array | undefined> {
  const declared = request.headers.get("content-length");
  if (Number(declared ?? "0") > max) return undefined;
  if (request.body === null) return new Uint8Array();
  if (declared !== null && !request.headers.has("transfer-encoding")) {
    // Within the limit as declared: read at once, without a read and an await per chunk.
    const bytes = new Uint8Array(await request.arrayBuffer());
    return bytes.byteLength > max ? undefined : bytes;
  }
  return readUpTo(request.body, max);
}

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
