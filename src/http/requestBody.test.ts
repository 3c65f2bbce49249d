import { describe, expect, it } from "vitest";
import { readUpTo } from "./requestBody";

/** A stream of these chunks, then the end (or `failure` instead of the end). */
function streamOf(chunks: string[], failure?: Error) {
  const encoder = new TextEncoder();
  let pulled = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled < chunks.length) controller.enqueue(encoder.encode(chunks[pulled++]!));
      else if (failure) controller.error(failure);
      else controller.close();
    },
    cancel() {
      cancelled = true;
    },
  });
  return { stream, pulled: () => pulled, cancelled: () => cancelled };
}

describe("readUpTo", () => {
  it("answers every chunk as one array when the body stays within the limit", async () => {
    const { stream } = streamOf(["ab", "cd", "e"]);
    expect(new TextDecoder().decode(await readUpTo(stream, 5))).toBe("abcde");
  });

  it("answers an empty array for an empty body", async () => {
    expect(await readUpTo(streamOf([]).stream, 5)).toEqual(new Uint8Array());
  });

  it("answers undefined as soon as the body passes the limit, reads no further and cancels it", async () => {
    const body = streamOf(["abc", "def", "ghi", "jkl"]);
    expect(await readUpTo(body.stream, 5)).toBeUndefined();
    expect(body.pulled()).toBeLessThanOrEqual(3);
    expect(body.cancelled()).toBe(true);
  });

  it("throws what the stream throws when it breaks off", async () => {
    const broken = new Error("connection reset");
    await expect(readUpTo(streamOf(["ab"], broken).stream, 5)).rejects.toBe(broken);
  });
});
