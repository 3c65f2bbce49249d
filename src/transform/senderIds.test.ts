import { describe, expect, it } from "vitest";
import { idPart } from "./eventId";
import { keptId, MAX_KEPT_ID } from "./senderIds";

describe("keptId", () => {
  it.each([["evt_01JD3Q7"], ["msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"], ["8123456789"], ["shopify:7712345"]])(
    "keeps %s as it came",
    (id) => {
      expect(keptId(id)).toBe(id);
    },
  );

  it.each([["jane.doe@example.com"], ["jane%40example.com"], ["+44 20 7946 0958"], ["evt-jane@example.com-1"]])(
    "hashes %s, as an event_id would carry it",
    (id) => {
      expect(keptId(id)).toMatch(/^h[0-9a-f]{16}$/);
      expect(keptId(id)).toBe(idPart(id));
      expect(keptId(id)).toBe(keptId(id));
    },
  );

  it("hashes an id too long to keep", () => {
    expect(keptId("x".repeat(MAX_KEPT_ID))).toBe("x".repeat(MAX_KEPT_ID));
    expect(keptId("x".repeat(MAX_KEPT_ID + 1))).toMatch(/^h[0-9a-f]{16}$/);
  });
});
