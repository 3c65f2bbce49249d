import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  WEBHOOK_TOLERANCE_SECONDS,
  WebhookVerificationError,
  authenticate,
  webhookSigningKey,
  type WebhookVerificationReason,
} from "./auth";

const keyBytes = Buffer.from("relay-test-key-32-bytes-long-ok!");
const SECRET = `whsec_${keyBytes.toString("base64")}`;
const NOW = 1_764_096_127_000; // ms
const NOW_S = Math.floor(NOW / 1000);
const BODY = '{"type":"email:submit","id":"evt_1","shopper":{"email":"ada@example.com"}}';
const ID = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";

/** Signs independently of the module under test, with node:crypto. */
function sign(key: Uint8Array | string, id: string, timestamp: string | number, body: string | Uint8Array): string {
  return `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest("base64")}`;
}

function signed(overrides: Record<string, string> = {}, body: string | Uint8Array = BODY): Headers {
  return new Headers({
    "webhook-id": ID,
    "webhook-timestamp": String(NOW_S),
    "webhook-signature": sign(keyBytes, ID, NOW_S, body),
    ...overrides,
  });
}

async function reasonOf(promise: Promise<unknown>): Promise<WebhookVerificationReason> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebhookVerificationError);
  return (error as WebhookVerificationError).reason;
}

describe("authenticate: Bearer", () => {
  it("accepts the configured secret", async () => {
    const headers = new Headers({ authorization: `Bearer ${SECRET}` });
    await expect(authenticate(headers, BODY, SECRET, NOW)).resolves.toBe("bearer");
  });

  it("accepts the scheme in any case", async () => {
    const headers = new Headers({ authorization: `bEaReR ${SECRET}` });
    await expect(authenticate(headers, BODY, SECRET, NOW)).resolves.toBe("bearer");
  });

  it("accepts any secret text, not only whsec_ ones", async () => {
    const plain = "a plain shared secret";
    await expect(authenticate(new Headers({ authorization: `Bearer ${plain}` }), BODY, plain, NOW)).resolves.toBe(
      "bearer",
    );
  });

  it("refuses a wrong token of the same length", async () => {
    const wrong = SECRET.slice(0, -2) + (SECRET.endsWith("AA") ? "BB" : "AA");
    expect(wrong).toHaveLength(SECRET.length);
    expect(await reasonOf(authenticate(new Headers({ authorization: `Bearer ${wrong}` }), BODY, SECRET, NOW))).toBe(
      "invalid_bearer",
    );
  });

  it("refuses a token of a different length (a prefix of the secret)", async () => {
    const headers = new Headers({ authorization: `Bearer ${SECRET.slice(0, 10)}` });
    expect(await reasonOf(authenticate(headers, BODY, SECRET, NOW))).toBe("invalid_bearer");
  });

  it("refuses the secret with extra characters appended", async () => {
    const headers = new Headers({ authorization: `Bearer ${SECRET}x` });
    expect(await reasonOf(authenticate(headers, BODY, SECRET, NOW))).toBe("invalid_bearer");
  });

  it("refuses another scheme carrying the secret", async () => {
    const headers = new Headers({ authorization: `Basic ${SECRET}` });
    expect(await reasonOf(authenticate(headers, BODY, SECRET, NOW))).toBe("invalid_bearer");
  });

  it("refuses an empty Bearer", async () => {
    expect(await reasonOf(authenticate(new Headers({ authorization: "Bearer" }), BODY, SECRET, NOW))).toBe(
      "invalid_bearer",
    );
  });

  it("lets a valid signature through despite a wrong Bearer", async () => {
    const headers = signed({ authorization: "Bearer nope" });
    await expect(authenticate(headers, BODY, SECRET, NOW)).resolves.toBe("signature");
  });
});

describe("authenticate: no credentials or no configuration", () => {
  it("refuses a request with neither Authorization nor signature headers", async () => {
    expect(await reasonOf(authenticate(new Headers(), BODY, SECRET, NOW))).toBe("missing_credentials");
  });

  it("refuses everything when no secret is configured, even a matching empty Bearer", async () => {
    expect(await reasonOf(authenticate(new Headers({ authorization: "Bearer " }), BODY, "", NOW))).toBe(
      "missing_secret_config",
    );
    expect(await reasonOf(authenticate(signed(), BODY, "", NOW))).toBe("missing_secret_config");
  });

  it.each(["webhook-id", "webhook-timestamp", "webhook-signature"])("refuses when %s is missing", async (name) => {
    const headers = signed();
    headers.delete(name);
    expect(await reasonOf(authenticate(headers, BODY, SECRET, NOW))).toBe("missing_signature_headers");
  });
});

describe("authenticate: Standard Webhooks signature", () => {
  it("accepts a valid signature over a string body", async () => {
    await expect(authenticate(signed(), BODY, SECRET, NOW)).resolves.toBe("signature");
  });

  it("accepts a valid signature over raw bytes, byte for byte", async () => {
    const bytes = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0xff, 0xfe, 0x7d]); // not valid UTF-8
    await expect(authenticate(signed({}, bytes), bytes, SECRET, NOW)).resolves.toBe("signature");
  });

  it("accepts when one of several signatures is valid (key rotation)", async () => {
    const other = sign(randomBytes(32), ID, NOW_S, BODY);
    const headers = signed({ "webhook-signature": `${other} ${sign(keyBytes, ID, NOW_S, BODY)} v1,AAAA` });
    await expect(authenticate(headers, BODY, SECRET, NOW)).resolves.toBe("signature");
  });

  it("accepts the first of two webhook-signature header lines (the Fetch API joins them with a comma)", async () => {
    const headers = signed();
    headers.append("webhook-signature", sign(randomBytes(32), ID, NOW_S, BODY));
    expect(headers.get("webhook-signature")).toMatch(/^v1,\S+, v1,/);
    await expect(authenticate(headers, BODY, SECRET, NOW)).resolves.toBe("signature");
  });

  it("accepts the second of two webhook-signature header lines too", async () => {
    const headers = signed({ "webhook-signature": sign(randomBytes(32), ID, NOW_S, BODY) });
    headers.append("webhook-signature", sign(keyBytes, ID, NOW_S, BODY));
    await expect(authenticate(headers, BODY, SECRET, NOW)).resolves.toBe("signature");
  });

  it("ignores other versions and junk entries beside a valid v1", async () => {
    const headers = signed({
      "webhook-signature": `v1a,${sign(keyBytes, ID, NOW_S, BODY).slice(3)}  junk ${sign(keyBytes, ID, NOW_S, BODY)}`,
    });
    await expect(authenticate(headers, BODY, SECRET, NOW)).resolves.toBe("signature");
  });

  it("refuses a signature made with another key", async () => {
    const headers = signed({ "webhook-signature": sign(randomBytes(32), ID, NOW_S, BODY) });
    expect(await reasonOf(authenticate(headers, BODY, SECRET, NOW))).toBe("no_matching_signature");
  });

  it("refuses a tampered body", async () => {
    const tampered = BODY.replace("ada@", "eve@");
    expect(await reasonOf(authenticate(signed(), tampered, SECRET, NOW))).toBe("no_matching_signature");
  });

  it("refuses a tampered id", async () => {
    const headers = signed({ "webhook-id": "msg_other" });
    expect(await reasonOf(authenticate(headers, BODY, SECRET, NOW))).toBe("no_matching_signature");
  });

  it("refuses a signature of another timestamp (replayed under a fresh one)", async () => {
    const headers = signed({ "webhook-timestamp": String(NOW_S + 1) });
    expect(await reasonOf(authenticate(headers, BODY, SECRET, NOW))).toBe("no_matching_signature");
  });

  it("accepts a timestamp at the edge of the tolerance, either way", async () => {
    for (const ts of [NOW_S - WEBHOOK_TOLERANCE_SECONDS, NOW_S + WEBHOOK_TOLERANCE_SECONDS]) {
      const headers = signed({ "webhook-timestamp": String(ts), "webhook-signature": sign(keyBytes, ID, ts, BODY) });
      await expect(authenticate(headers, BODY, SECRET, NOW)).resolves.toBe("signature");
    }
  });

  it("refuses an expired timestamp even when the signature is right", async () => {
    const ts = NOW_S - WEBHOOK_TOLERANCE_SECONDS - 1;
    const headers = signed({ "webhook-timestamp": String(ts), "webhook-signature": sign(keyBytes, ID, ts, BODY) });
    expect(await reasonOf(authenticate(headers, BODY, SECRET, NOW))).toBe("timestamp_too_old");
  });

  it("refuses a timestamp too far in the future", async () => {
    const ts = NOW_S + WEBHOOK_TOLERANCE_SECONDS + 1;
    const headers = signed({ "webhook-timestamp": String(ts), "webhook-signature": sign(keyBytes, ID, ts, BODY) });
    expect(await reasonOf(authenticate(headers, BODY, SECRET, NOW))).toBe("timestamp_too_new");
  });

  it.each(["abc", "1764096127.5", "-1764096127", "1764096127abc", `${NOW}`.padStart(20, "9")])(
    "refuses a non-numeric or absurd timestamp %s",
    async (ts) => {
      const headers = signed({ "webhook-timestamp": ts, "webhook-signature": sign(keyBytes, ID, ts, BODY) });
      expect(await reasonOf(authenticate(headers, BODY, SECRET, NOW))).toBe("invalid_timestamp");
    },
  );

  it.each(["garbage", "v1", "v1 AAAA", ",AAAA"])("refuses a malformed signature header %j", async (value) => {
    const headers = signed({ "webhook-signature": value });
    expect(await reasonOf(authenticate(headers, BODY, SECRET, NOW))).toBe("malformed_signature");
  });

  it("refuses a v1 entry whose signature is not base64", async () => {
    const headers = signed({ "webhook-signature": "v1,@@not-base64@@" });
    expect(await reasonOf(authenticate(headers, BODY, SECRET, NOW))).toBe("no_matching_signature");
  });

  it("refuses when only a v2 signature is present, even one with the right bytes", async () => {
    const headers = signed({ "webhook-signature": `v2,${sign(keyBytes, ID, NOW_S, BODY).slice(3)}` });
    expect(await reasonOf(authenticate(headers, BODY, SECRET, NOW))).toBe("no_matching_signature");
  });

  it("refuses a signature keyed with the whsec_ text itself instead of its decoded bytes", async () => {
    const headers = signed({ "webhook-signature": sign(SECRET, ID, NOW_S, BODY) });
    expect(await reasonOf(authenticate(headers, BODY, SECRET, NOW))).toBe("no_matching_signature");
  });

  it("keys a secret without the whsec_ prefix by its base64 decoding, as the reference library does", async () => {
    const bare = keyBytes.toString("base64");
    await expect(authenticate(signed(), BODY, bare, NOW)).resolves.toBe("signature");
  });

  it("refuses signatures when the secret is not base64 (Bearer still works with it)", async () => {
    const plain = "not base64!";
    const headers = signed({ "webhook-signature": sign(plain, ID, NOW_S, BODY) });
    expect(await reasonOf(authenticate(headers, BODY, plain, NOW))).toBe("invalid_secret_config");
  });

  it("never puts the secret, token or signatures into the error", async () => {
    const signature = sign(randomBytes(32), ID, NOW_S, BODY);
    const attempts = [
      authenticate(new Headers({ authorization: "Bearer guessed-token" }), BODY, SECRET, NOW),
      authenticate(signed({ "webhook-signature": signature }), BODY, SECRET, NOW),
    ];
    for (const attempt of attempts) {
      const error = await attempt.catch((e: unknown) => e);
      const text = `${String(error)} ${(error as Error).stack ?? ""} ${JSON.stringify(error)}`;
      for (const leak of [SECRET, keyBytes.toString("base64"), "guessed-token", signature.slice(3)]) {
        expect(text).not.toContain(leak);
      }
    }
  });
});

describe("webhookSigningKey", () => {
  it("decodes the base64 after whsec_", () => {
    expect(webhookSigningKey("whsec_AQID")).toEqual(new Uint8Array([1, 2, 3]));
    expect(webhookSigningKey(SECRET)).toEqual(new Uint8Array(keyBytes));
  });

  it("decodes a secret without the prefix the same way", () => {
    expect(webhookSigningKey("AQID")).toEqual(new Uint8Array([1, 2, 3]));
  });

  it("accepts padded and unpadded base64", () => {
    expect(webhookSigningKey("whsec_AQI=")).toEqual(new Uint8Array([1, 2]));
    expect(webhookSigningKey("whsec_AQI")).toEqual(new Uint8Array([1, 2]));
  });

  it.each(["whsec_", "", "whsec_not base64!", "whsec_A", "whsec_AQ=", "whsec_-_-_"])("refuses %j", (secret) => {
    expect(webhookSigningKey(secret)).toBeUndefined();
  });
});
