import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { applyFieldMap, bounded, parseFieldMap, parseTimestamp, parseWebhook } from "./webhook";

const fixture = (name: string): any =>
  JSON.parse(readFileSync(new URL(`../../fixtures/${name}.json`, import.meta.url), "utf8"));

describe("parseTimestamp", () => {
  const ms = Date.parse("2026-11-25T18:42:07.123Z");

  it("reads ISO 8601 text", () => {
    expect(parseTimestamp("2026-11-25T18:42:07.123Z")).toBe(ms);
    expect(parseTimestamp("2026-11-25T19:42:07.123+01:00")).toBe(ms);
    expect(parseTimestamp("2026-11-25 18:42:07.123Z")).toBe(ms);
    expect(parseTimestamp("2026-11-25")).toBe(Date.parse("2026-11-25"));
  });

  it("reads epoch seconds and epoch milliseconds, as numbers or digit strings", () => {
    expect(parseTimestamp(1795632127)).toBe(1795632127000);
    expect(parseTimestamp(1795632127.5)).toBe(1795632127500);
    expect(parseTimestamp(1795632127123)).toBe(1795632127123);
    expect(parseTimestamp("1795632127")).toBe(1795632127000);
    expect(parseTimestamp(" 1795632127123 ")).toBe(1795632127123);
  });

  it("refuses what is neither", () => {
    for (const value of ["last Tuesday", "Nov 25 2026", "", "2026-13-45T99:99:99Z", null, undefined, {}, [], true]) {
      expect(parseTimestamp(value), String(value)).toBeUndefined();
    }
  });

  it("refuses impossible calendar dates instead of rolling them over", () => {
    expect(parseTimestamp("2026-02-30T00:00:00Z")).toBeUndefined();
    expect(parseTimestamp("2026-04-31")).toBeUndefined();
    expect(parseTimestamp("2028-02-29T00:00:00Z")).toBe(Date.parse("2028-02-29T00:00:00Z"));
  });

  it("refuses zero, negatives, NaN and times beyond a Date's range", () => {
    for (const value of [0, -5, Number.NaN, Number.POSITIVE_INFINITY, 1e300]) {
      expect(parseTimestamp(value)).toBeUndefined();
    }
  });
});

describe("parseWebhook", () => {
  it("takes the canonical webhook unchanged", () => {
    const result = parseWebhook(fixture("canonical"), {});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.webhook).toMatchObject({
      type: "email:submit",
      id: "evt_01JD8W3Q9X7K2M4N6P8R0T2V4X",
      occurred_at: Date.parse("2026-11-25T18:42:07.123Z"),
      session: { id: "ses_5f1c9a7e2b", attempt: 2 },
      shopper: { email: "  Jane.Doe@Example.COM ", marketing_consent: true },
      context: { consent: { ad_storage: "granted", ad_user_data: "granted" } },
    });
    expect(result.webhook.recommendations).toHaveLength(2);
  });

  it("fills defaults for a minimal webhook", () => {
    const result = parseWebhook(fixture("minimal"), {});
    expect(result).toMatchObject({
      ok: true,
      webhook: {
        type: "email:submit",
        session: { id: undefined, attempt: 1 },
        store: {},
        quiz: {},
        context: {},
        recommendations: [],
      },
    });
  });

  it("reads numbers and text interchangeably where Studio may send either", () => {
    const result = parseWebhook(fixture("messy"), {});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.webhook.id).toBe("evt_messy_42");
    expect(result.webhook.shopper.customer_id).toBe("7712345");
    expect(result.webhook.shopper.marketing_consent).toBe(true);
    expect(result.webhook.session.attempt).toBe(1);
    expect(result.webhook.recommendations[0]).toMatchObject({ product_id: "8012345", price: 34, quantity: 1 });
    expect(result.webhook.context.consent).toEqual({ ad_storage: "granted", ad_user_data: "granted" });
  });

  it("reads an optional context.ipv6 beside context.ip", () => {
    const result = parseWebhook({ ...fixture("minimal"), context: { ip: "203.0.113.7", ipv6: "2001:db8::7" } }, {});
    expect(result).toMatchObject({ ok: true, webhook: { context: { ip: "203.0.113.7", ipv6: "2001:db8::7" } } });
    const without = parseWebhook({ ...fixture("minimal"), context: { ip: "203.0.113.7", ipv6: "" } }, {});
    expect(without).toMatchObject({ ok: true, webhook: { context: { ipv6: undefined } } });
  });

  it("ignores unknown fields", () => {
    const result = parseWebhook(
      { ...fixture("minimal"), extra: { deep: [1, 2] }, shopper: { email: "a@b.co", x: 1 } },
      {},
    );
    expect(result.ok).toBe(true);
  });

  it("reads empty strings and nulls as absent", () => {
    const result = parseWebhook(
      { ...fixture("minimal"), shopper: { email: "a@b.co", phone: "", city: null }, context: null },
      {},
    );
    expect(result).toMatchObject({
      ok: true,
      webhook: { shopper: { phone: undefined, city: undefined }, context: {} },
    });
  });

  it("names a missing email by path", () => {
    const result = parseWebhook({ id: "e", occurred_at: 1795632127, shopper: {} }, {});
    expect(result).toEqual({ ok: false, issues: [{ path: "shopper.email", message: "Required" }] });
  });

  it("names every missing required field", () => {
    const result = parseWebhook({}, {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.path).sort()).toEqual(["id", "occurred_at", "shopper"]);
  });

  it("refuses an attempt below 1 or not whole", () => {
    for (const attempt of [0, -1, 1.5, "two"]) {
      const result = parseWebhook({ ...fixture("minimal"), session: { id: "s", attempt } }, {});
      expect(result.ok, String(attempt)).toBe(false);
    }
  });

  it("refuses a consent flag it cannot read", () => {
    const result = parseWebhook(
      { ...fixture("minimal"), shopper: { email: "a@b.co", marketing_consent: "maybe" } },
      {},
    );
    expect(result).toMatchObject({ ok: false, issues: [{ path: "shopper.marketing_consent" }] });
  });

  it("never puts the offending value into an issue", () => {
    const result = parseWebhook(
      { id: "e", occurred_at: "Jane's birthday", shopper: { email: { address: "jane@example.com" } } },
      {},
    );
    expect(JSON.stringify(result)).not.toMatch(/jane|birthday/i);
  });

  it("reads Consent Mode signals in any case and drops other words", () => {
    const result = parseWebhook(
      { ...fixture("minimal"), context: { consent: { ad_storage: "DENIED", ad_user_data: "unknown" } } },
      {},
    );
    expect(result).toMatchObject({
      ok: true,
      webhook: { context: { consent: { ad_storage: "denied", ad_user_data: undefined } } },
    });
  });
});

describe("applyFieldMap", () => {
  it("moves mapped fields to their canonical place and leaves the rest", () => {
    const mapped = applyFieldMap({ lead: { mail: "a@b.co" }, id: "e1" }, { "shopper.email": "lead.mail" });
    expect(mapped).toEqual({ lead: { mail: "a@b.co" }, id: "e1", shopper: { email: "a@b.co" } });
  });

  it("maps arrays and the fields of their items", () => {
    const mapped = applyFieldMap(
      {
        products: [
          { productId: "p1", cost: 3 },
          { productId: "p2", cost: 4 },
        ],
      },
      { recommendations: "products", "recommendations[].product_id": "productId", "recommendations[].price": "cost" },
    ) as any;
    expect(mapped.recommendations).toEqual([
      { productId: "p1", cost: 3, product_id: "p1", price: 3 },
      { productId: "p2", cost: 4, product_id: "p2", price: 4 },
    ]);
  });

  it("reads array indexes in source paths", () => {
    const mapped = applyFieldMap({ emails: ["x@y.co", "z@y.co"] }, { "shopper.email": "emails.0" }) as any;
    expect(mapped.shopper.email).toBe("x@y.co");
  });

  it("leaves the caller's payload untouched", () => {
    const payload = { lead: { mail: "a@b.co" } };
    applyFieldMap(payload, { "shopper.email": "lead.mail" });
    expect(payload).toEqual({ lead: { mail: "a@b.co" } });
  });

  it("copies only what it writes to, so a deeply nested payload costs nothing", () => {
    let deep: unknown = "bottom";
    for (let i = 0; i < 20_000; i++) deep = [deep];
    const payload = { lead: { mail: "a@b.co" }, x: deep, cart: [{ productId: "p1" }] };
    const mapped = applyFieldMap(payload, {
      "shopper.email": "lead.mail",
      recommendations: "cart",
      "recommendations[].product_id": "productId",
    }) as any;
    expect(mapped.x).toBe(deep);
    expect(mapped.recommendations).toEqual([{ productId: "p1", product_id: "p1" }]);
    expect(payload.cart).toEqual([{ productId: "p1" }]);
  });

  it("does not write into nested objects of the caller's payload", () => {
    const payload = { shopper: { mail: "a@b.co" }, items: [{ id: "1" }] };
    applyFieldMap(payload, {
      "shopper.email": "shopper.mail",
      recommendations: "items",
      "recommendations[].product_id": "id",
    });
    expect(payload).toEqual({ shopper: { mail: "a@b.co" }, items: [{ id: "1" }] });
  });

  it("cannot pollute prototypes", () => {
    applyFieldMap(
      { x: { polluted: true } },
      { "__proto__.polluted": "x.polluted", "constructor.prototype.polluted": "x" },
    );
    expect(({} as any).polluted).toBeUndefined();
  });

  it("does not read inherited properties", () => {
    const mapped = applyFieldMap({}, { "shopper.email": "constructor" }) as any;
    expect(mapped.shopper.email).toBeUndefined();
  });

  it("passes non-objects through for the schema to refuse", () => {
    expect(applyFieldMap([1], { "shopper.email": "x" })).toEqual([1]);
    expect(applyFieldMap(null, { "shopper.email": "x" })).toBeNull();
  });

  it("lets the alternative fixture through with its documented map", () => {
    const map = parseFieldMap(
      readFileSync(new URL("../../fixtures/alternative.fieldmap.json", import.meta.url), "utf8"),
    );
    const result = parseWebhook(fixture("alternative"), map);
    expect(result).toMatchObject({
      ok: true,
      webhook: {
        id: "0f7c5e9a-1b2d-4c3e-8f90-a1b2c3d4e5f6",
        session: { id: "ses_es_20ab", attempt: 3 },
        shopper: { email: "ana.garcia@example.es", country: "ES", marketing_consent: true },
        store: { currency: "EUR" },
        context: { fbc: undefined, fbp: "fb.1.1732560000000.77665544" },
      },
    });
  });
});

describe("parseFieldMap", () => {
  it("reads JSON text or an object", () => {
    expect(parseFieldMap('{"shopper.email":"lead.mail"}')).toEqual({ "shopper.email": "lead.mail" });
    expect(parseFieldMap({ id: "uuid" })).toEqual({ id: "uuid" });
  });

  it("reads nothing as an empty map", () => {
    expect(parseFieldMap(undefined)).toEqual({});
    expect(parseFieldMap("")).toEqual({});
  });

  it("refuses anything but an object of non-empty path strings", () => {
    for (const bad of ["[1]", '"x"', '{"id": 5}', '{"id": ""}', "{oops"]) {
      expect(() => parseFieldMap(bad), bad).toThrow();
    }
  });
});

describe("bounded", () => {
  /** The plain zod schema `bounded` answers for (its fast path must not change a single answer). */
  const plain = (max: number) =>
    z.pipe(
      z.pipe(
        z.nullable(z.optional(z.union([z.string(), z.pipe(z.number(), z.transform(String))]))),
        z.transform((v: string | null | undefined) => (v === "" || v == null ? undefined : v)),
      ),
      z.optional(z.string().check(z.maxLength(max, `Too long: at most ${max} characters`))),
    );
  const answer = (result: z.core.util.SafeParseResult<Record<string, unknown>>) =>
    result.success
      ? { data: result.data, keys: Object.keys(result.data) }
      : { issues: result.error.issues.map((issue) => ({ path: issue.path, message: issue.message })) };
  const inputs: unknown[] = [
    "text",
    "",
    " ",
    "12345678",
    "123456789",
    "\u00e9t\u00e9",
    null,
    undefined,
    0,
    42,
    -1.5,
    1e21,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    123456789,
    true,
    {},
    [],
    ["a"],
  ];

  it("answers every input as the plain zod schema does: the value, absent or present keys, and each issue's path and message", () => {
    const fast = z.object({ field: bounded(8), other: bounded(8) });
    const reference = z.object({ field: plain(8), other: plain(8) });
    for (const value of inputs) {
      for (const body of [{ field: value }, { field: value, other: value }]) {
        expect(answer(fast.safeParse(body)), JSON.stringify(body)).toEqual(answer(reference.safeParse(body)));
      }
    }
    expect(answer(fast.safeParse({}))).toEqual(answer(reference.safeParse({})));
  });
});
