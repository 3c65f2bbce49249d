import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { BodyTooLarge, MAX_BODY_BYTES, parseBody, readBody, userDataKeys, versionWarning } from "./http.ts";

const stream = (...chunks: Buffer[]) => Readable.from(chunks) as unknown as IncomingMessage;

describe("readBody", () => {
  it("joins the chunks as UTF-8, even a character split between chunks", async () => {
    const bytes = Buffer.from('{"event_name":"Lead ✓"}');
    expect(await readBody(stream(bytes.subarray(0, 20), bytes.subarray(20)))).toBe('{"event_name":"Lead ✓"}');
  });

  it("stops past the size limit", async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    const chunks = Array.from({ length: MAX_BODY_BYTES / chunk.length + 1 }, () => chunk);
    await expect(readBody(stream(...chunks))).rejects.toBeInstanceOf(BodyTooLarge);
  });
});

describe("parseBody", () => {
  it("reads a JSON object", () => {
    expect(parseBody('{"data":[],"access_token":"T"}', "application/json")).toEqual({ data: [], access_token: "T" });
  });

  it("reads a form whose data is JSON text", () => {
    expect(parseBody("data=%5B%7B%22a%22%3A1%7D%5D&access_token=T", "application/x-www-form-urlencoded")).toEqual({
      data: [{ a: 1 }],
      access_token: "T",
    });
  });

  it("reads an empty body as no parameters", () => {
    expect(parseBody("  ", "application/json")).toEqual({});
  });

  it.each([
    ["{not json", "application/json"],
    ["[1,2]", "application/json"],
    ['"text"', undefined],
    ["data=%5Bnot", "application/x-www-form-urlencoded"],
  ])("cannot read %j (%s)", (raw, type) => {
    expect(parseBody(raw, type)).toBeUndefined();
  });
});

describe("userDataKeys", () => {
  it("lists the keys of every event's user_data once, sorted, without values", () => {
    const keys = userDataKeys([
      { user_data: { fbp: "fb.1.1.x", em: "secret" } },
      { user_data: { em: "other", ph: "p" } },
      null,
      { user_data: "x" },
    ]);
    expect(keys).toEqual(["em", "fbp", "ph"]);
  });
});

describe("versionWarning", () => {
  it("names the next major version", () => {
    expect(versionWarning("v9.0")).toBe("The call has been auto-upgraded to v10.0 as v9.0 will be deprecated.");
  });
});
