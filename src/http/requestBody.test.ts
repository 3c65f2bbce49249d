import { describe, expect, it } from "vitest";
import { readBody, readUpTo, strictUtf8 } from "./requestBody";

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

describe("readBody", () => {
  const post = (body: BodyInit | null) =>
    new Request("https://relay.test/", { method: "POST", body, duplex: "half" } as RequestInit);

  /** A request as workerd hands it over with a declared length (Node's Request drops `content-length`). */
  const declared = (text: string, length: number) => {
    const body = streamOf([text]);
    const request = {
      headers: new Headers({ "content-length": String(length) }),
      body: body.stream,
      arrayBuffer: () => new Response(body.stream).arrayBuffer(),
    } as unknown as Request;
    return { request, body };
  };

  it("refuses a declared length over the limit on its header alone, reading nothing", async () => {
    const { request, body } = declared("abcdef", 6);
    expect(await readBody(request, 5)).toBeUndefined();
    expect(body.stream.locked).toBe(false); // no reader ever took it
  });

  it("reads a body of declared length within the limit at once, and still refuses more bytes than the limit", async () => {
    expect(strictUtf8.decode(await readBody(declared("abcde", 5).request, 5))).toBe("abcde");
    expect(await readBody(declared("abcdefgh", 5).request, 5)).toBeUndefined();
  });

  it("answers an empty array for a request without a body", async () => {
    expect(await readBody(post(null), 5)).toEqual(new Uint8Array());
  });

  it("reads a body without a declared length no further than the limit", async () => {
    const body = streamOf(["abc", "def", "ghi"]);
    expect(await readBody(post(body.stream), 5)).toBeUndefined();
    expect(body.cancelled()).toBe(true);
    expect(strictUtf8.decode(await readBody(post(streamOf(["ab", "c"]).stream), 5))).toBe("abc");
  });
});

describe("strictUtf8", () => {
  it("throws on a malformed byte instead of writing U+FFFD", () => {
    expect(() => strictUtf8.decode(new Uint8Array([0x61, 0xff]))).toThrow();
  });
});
