import { describe, expect, it } from "vitest";
import { answerableEventId, browserEventId, eventId, eventIdProblem, idPart, isPersonalId } from "./eventId";
import { sha256Utf8Hex } from "./sha256";

describe("eventId", () => {
  it("is built from the session and the attempt", () => {
    expect(eventId({ id: "evt_1", session: { id: "ses_5f1c9a7e2b", attempt: 2 } })).toBe("cartful.ses_5f1c9a7e2b.2");
  });

  it("is the same for a redelivery of the same Studio event", () => {
    const first = eventId({ id: "evt_1", session: { id: "ses_a", attempt: 1 } });
    const again = eventId({ id: "evt_1", session: { id: "ses_a", attempt: 1 } });
    expect(again).toBe(first);
  });

  it("changes on a retake", () => {
    const first = eventId({ id: "evt_1", session: { id: "ses_a", attempt: 1 } });
    const retake = eventId({ id: "evt_2", session: { id: "ses_a", attempt: 2 } });
    expect(retake).not.toBe(first);
  });

  it("changes for another session", () => {
    const one = eventId({ id: "evt_1", session: { id: "ses_a", attempt: 1 } });
    const other = eventId({ id: "evt_1", session: { id: "ses_b", attempt: 1 } });
    expect(other).not.toBe(one);
  });

  it("does not depend on Studio's event id while a session is known", () => {
    // The browser never sees Studio's webhook id; the Pixel must still reach the same value.
    const a = eventId({ id: "evt_1", session: { id: "ses_a", attempt: 1 } });
    const b = eventId({ id: "evt_other", session: { id: "ses_a", attempt: 1 } });
    expect(a).toBe(b);
  });

  it("gives other Studio types their own id in the same attempt", () => {
    const session = { id: "ses_a", attempt: 1 };
    expect(eventId({ id: "e1", type: "email:submit", session })).toBe("cartful.ses_a.1");
    expect(eventId({ id: "e2", type: "quiz:complete", session })).toBe("cartful.ses_a.1.quiz:complete");
  });

  it("ignores white space around the session id", () => {
    expect(eventId({ id: "e", session: { id: " ses_a ", attempt: 3 } })).toBe("cartful.ses_a.3");
  });

  it("falls back to Studio's event id without a session", () => {
    expect(eventId({ id: "evt_9", session: { id: undefined, attempt: 1 } })).toBe("cartful.evt_9");
    expect(eventId({ id: "evt_9", session: { id: "  ", attempt: 1 } })).toBe("cartful.evt_9");
  });
});

const hashed = (id: string) => `h${sha256Utf8Hex(id).slice(0, 16)}`;

describe("ids that carry personal data", () => {
  it.each([
    "jane.doe@example.com",
    " Jane.Doe@Example.COM ",
    "ses-jane%40example.com",
    "lead:jane@example.co.uk:2",
    "+1 (650) 555-1212",
    "+442079460958",
  ])("recognises %s", (id) => {
    expect(isPersonalId(id)).toBe(true);
  });

  it.each([
    "8123456789",
    "7712345678901",
    "ses_5f1c9a7e2b",
    "evt_01J9Z8",
    "gid://shopify/Product/8123456789",
    "a@b",
    "step-2",
  ])("does not raise a false alarm on %s", (id) => {
    expect(isPersonalId(id)).toBe(false);
  });

  it("hashes such an id where it enters the event_id: h and 16 hex digits of the trimmed id's SHA-256", () => {
    expect(eventId({ id: "evt_1", session: { id: " jane@example.com ", attempt: 1 } })).toBe(
      `cartful.${hashed("jane@example.com")}.1`,
    );
    expect(eventId({ id: "jane@example.com", session: { id: undefined, attempt: 1 } })).toBe(
      `cartful.${hashed("jane@example.com")}`,
    );
    expect(idPart("jane@example.com")).toMatch(/^h[0-9a-f]{16}$/);
  });

  it("hashes an id longer than 64 characters, so the event_id stays short", () => {
    const long = "s".repeat(65);
    expect(idPart(long)).toBe(hashed(long));
    expect(idPart("s".repeat(64))).toBe("s".repeat(64));
  });

  it("leaves the lead's formula alone for ordinary ids", () => {
    expect(idPart(" ses_5f1c9a7e2b ")).toBe("ses_5f1c9a7e2b");
  });
});

describe("browserEventId", () => {
  const session = { id: "ses_5f1c9a7e2b", attempt: 2 };

  it("is the contract's example for an add to cart", () => {
    expect(
      browserEventId({ type: "product:addToCart", session, product: { product_id: "8123456789", variant_id: "v" } }),
    ).toBe("cartful.ses_5f1c9a7e2b.2.product:addToCart.8123456789");
  });

  it("tells apart the product views and steps of one attempt", () => {
    const ids = [
      browserEventId({ type: "product:view", session, product: { product_id: "1" } }),
      browserEventId({ type: "product:view", session, product: { product_id: "2" } }),
      browserEventId({ type: "product:view", session, product: { variant_id: "31" } }),
      browserEventId({ type: "product:view", session, product: { sku: "SKU-1" } }),
      browserEventId({ type: "step:enter", session, step: { id: "skin-type" } }),
      browserEventId({ type: "step:leave", session, step: { id: "skin-type" } }),
      browserEventId({ type: "step:enter", session, step: { id: "concerns" } }),
      browserEventId({ type: "quiz:complete", session }),
      browserEventId({ type: "recommendations:loaded", session }),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[7]).toBe("cartful.ses_5f1c9a7e2b.2.quiz:complete");
  });

  it("differs from the lead's id of the same attempt", () => {
    expect(browserEventId({ type: "quiz:complete", session })).not.toBe(eventId({ id: "e", session }));
  });

  it("changes on a retake and is the same for the same event again", () => {
    const once = browserEventId({ type: "product:view", session, product: { product_id: "1" } });
    const again = browserEventId({ type: "product:view", session, product: { product_id: "1" } });
    const retake = browserEventId({
      type: "product:view",
      session: { ...session, attempt: 3 },
      product: { product_id: "1" },
    });
    expect(again).toBe(once);
    expect(retake).not.toBe(once);
  });

  it("falls back to Studio's id without a session, and is undefined without either", () => {
    expect(browserEventId({ type: "product:view", id: "evt_9", session: { id: " ", attempt: 1 } })).toBe(
      "cartful.evt_9",
    );
    expect(browserEventId({ type: "product:view", session: { id: undefined, attempt: 1 } })).toBeUndefined();
  });

  it("hashes a personal session, product or step id", () => {
    const id = browserEventId({
      type: "step:enter",
      session: { id: "jane@example.com", attempt: 1 },
      step: { id: "+1 650 555 1212" },
    });
    expect(id).toBe(`cartful.${hashed("jane@example.com")}.1.step:enter.${hashed("+1 650 555 1212")}`);
    expect(isPersonalId(id!)).toBe(false);
  });
});

describe("answerableEventId", () => {
  it("names back any id but one carrying an email address or a phone number, refused ones too", () => {
    expect(answerableEventId("cartful.ses_a.1.product:view.8123456789")).toBe(
      "cartful.ses_a.1.product:view.8123456789",
    );
    expect(answerableEventId("fbq.ses_a.1")).toBe("fbq.ses_a.1");
    expect(answerableEventId(`cartful.${"x".repeat(300)}`)).toBe(`cartful.${"x".repeat(300)}`);
    expect(answerableEventId("cartful.jane@example.com.1")).toBeUndefined();
    expect(answerableEventId("fbq.+44 20 7946 0958")).toBeUndefined();
    expect(answerableEventId(undefined)).toBeUndefined();
  });
});

describe("eventIdProblem", () => {
  it("accepts the relay's own ids", () => {
    expect(eventIdProblem("cartful.ses_a.1.product:view.8123456789")).toBeUndefined();
  });

  it("refuses another prefix, an id over 256 characters, and an id carrying an email", () => {
    expect(eventIdProblem("fbq.ses_a.1")).toBe("invalid_event_id");
    expect(eventIdProblem("cartful")).toBe("invalid_event_id");
    expect(eventIdProblem(`cartful.${"x".repeat(249)}`)).toBe("invalid_event_id");
    expect(eventIdProblem(`cartful.${"x".repeat(248)}`)).toBeUndefined();
    expect(eventIdProblem("cartful.jane@example.com.1")).toBe("personal_event_id");
  });
});
