/**
 * Inbound webhook authentication: a static `Authorization: Bearer <WEBHOOK_SECRET>` header, or
 * Standard Webhooks signature headers (https://www.standardwebhooks.com/), in the manner of the
 * Standard Webhooks JavaScript library: one error type, a short machine reason as its message.
 *
 * Key derivation follows that library (`new Webhook(secret)`): an optional `whsec_` prefix is
 * stripped and the rest is base64-decoded; those bytes are the HMAC-SHA256 key. The library
 * base64-decodes a secret without the prefix too (raw bytes only with its explicit
 * `{ format: "raw" }` option), so we do the same: a sender using the library with the same
 * `WEBHOOK_SECRET` computes the same key. A secret that is not valid base64 cannot key a
 * signature (the library throws on it); such a secret still works for Bearer, and signed
 * requests fail with `invalid_secret_config`. Generate one with
 * `echo "whsec_$(openssl rand -base64 32)"`.
 *
 * Nothing secret (the configured secret, a presented token, a signature) ever enters an error
 * message.
 */

/**
 * Accepted clock skew between the sender's `webhook-timestamp` and our clock, either way.
 *
 * @example
 * ```ts
 * Math.abs(Date.now() / 1000 - Number(timestamp)) <= WEBHOOK_TOLERANCE_SECONDS; // 300
 * ```
 */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

/**
 * The `whsec_` prefix Standard Webhooks puts before a base64 secret.
 *
 * @example
 * ```ts
 * const secret = WEBHOOK_SECRET_PREFIX + btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
 * ```
 */
export const WEBHOOK_SECRET_PREFIX = "whsec_";

/**
 * Why a request was refused; the `message` of a {@link WebhookVerificationError}.
 * `missing_secret_config` / `invalid_secret_config` point at our configuration, the rest at
 * the request.
 *
 * @example
 * ```ts
 * const configProblem = (r: WebhookVerificationReason) => r.endsWith("_secret_config");
 * ```
 */
export type WebhookVerificationReason =
  | "missing_secret_config"
  | "invalid_secret_config"
  | "missing_credentials"
  | "invalid_bearer"
  | "missing_signature_headers"
  | "invalid_timestamp"
  | "timestamp_too_old"
  | "timestamp_too_new"
  | "malformed_signature"
  | "no_matching_signature";

/**
 * The one error {@link authenticate} throws. `message` (and `reason`) is a short machine reason,
 * safe to log and to answer with; it never carries a secret, token or signature.
 *
 * @example
 * ```ts
 * try { await authenticate(headers, body, secret, Date.now()); }
 * catch (e) { if (e instanceof WebhookVerificationError) throw new ApiError("unauthorized", e.reason); throw e; }
 * ```
 */
export class WebhookVerificationError extends Error {
  readonly reason: WebhookVerificationReason;
  constructor(reason: WebhookVerificationReason) {
    super(reason);
    this.name = "WebhookVerificationError";
    this.reason = reason;
  }
}

const encoder = new TextEncoder();

/**
 * Authenticates an inbound webhook, or throws {@link WebhookVerificationError}.
 *
 * - `Authorization: Bearer <secret>` (scheme case-insensitive) is compared in constant time,
 *   length included (both sides are SHA-256 digested first).
 * - Otherwise `webhook-id`, `webhook-timestamp` (unix seconds, within
 *   {@link WEBHOOK_TOLERANCE_SECONDS} of `now`) and `webhook-signature` (space-separated
 *   `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{raw body}">`; other versions are ignored; one
 *   match is enough) are checked over the raw body bytes.
 * - Either valid credential suffices. With both presented, a wrong Bearer falls through to the
 *   signature, and the signature's reason is reported.
 * - An empty `secret` (not configured) refuses everything.
 *
 * @param headers the request headers
 * @param rawBody the body exactly as received (bytes, or a string to be UTF-8 encoded)
 * @param secret `WEBHOOK_SECRET`
 * @param now the current time in milliseconds
 * @returns which credential passed
 * @example
 * ```ts
 * const raw = new Uint8Array(await c.req.arrayBuffer());
 * const how = await authenticate(c.req.raw.headers, raw, env.WEBHOOK_SECRET, Date.now()); // "bearer" | "signature"
 * ```
 */
export async function authenticate(
  headers: Headers,
  rawBody: Uint8Array | string,
  secret: string,
  now: number,
): Promise<"bearer" | "signature"> {
  if (!secret) throw new WebhookVerificationError("missing_secret_config");

  const authorization = headers.get("authorization");
  const hasSignatureHeaders = ["webhook-id", "webhook-timestamp", "webhook-signature"].some((name) =>
    headers.has(name),
  );
  if (authorization === null && !hasSignatureHeaders) {
    throw new WebhookVerificationError("missing_credentials");
  }
  if (authorization !== null) {
    const token = /^bearer[ \t]+(.+)$/i.exec(authorization)?.[1];
    if (token !== undefined && (await equalSecretText(token, secret))) return "bearer";
    if (!hasSignatureHeaders) throw new WebhookVerificationError("invalid_bearer");
  }
  await verifySignature(headers, rawBody, secret, now);
  return "signature";
}

/**
 * What can be known of a webhook's credentials without its body (a body that is too large or
 * broke off is never read): a valid Bearer authenticates (`"bearer"`); signature headers cannot be
 * checked without the body (`"unchecked_signature"`: never authenticated); otherwise the request
 * is refused as {@link authenticate} would refuse it, with `missing_credentials` for a request
 * that brought none.
 *
 * @throws WebhookVerificationError without a valid Bearer or signature headers
 * @example
 * ```ts
 * await credentialWithoutBody(c.req.raw.headers, env.WEBHOOK_SECRET, Date.now()); // "bearer" | "unchecked_signature"
 * ```
 */
export async function credentialWithoutBody(
  headers: Headers,
  secret: string,
  now: number,
): Promise<"bearer" | "unchecked_signature"> {
  const hasSignatureHeaders = ["webhook-id", "webhook-timestamp", "webhook-signature"].some((name) =>
    headers.has(name),
  );
  if (!hasSignatureHeaders) {
    await authenticate(headers, "", secret, now);
    return "bearer";
  }
  const authorization = headers.get("authorization");
  if (secret && authorization !== null) {
    try {
      await authenticate(new Headers({ authorization }), "", secret, now);
      return "bearer";
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
    }
  }
  return "unchecked_signature";
}

/**
 * The HMAC key of a Standard Webhooks secret: the base64-decoded text after an optional
 * `whsec_` prefix, or `undefined` when that text is not base64 or decodes to nothing.
 *
 * @example
 * ```ts
 * webhookSigningKey("whsec_AQID"); // Uint8Array [1, 2, 3]
 * webhookSigningKey("not base64!"); // undefined
 * ```
 */
export function webhookSigningKey(secret: string): Uint8Array | undefined {
  const text = secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret;
  const key = decodeBase64(text);
  return key !== undefined && key.length > 0 ? key : undefined;
}

/** Standard (not url-safe) base64 with optional padding; `undefined` when malformed. */
function decodeBase64(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.replace(/=+$/, "").length % 4 === 1) return undefined;
  if (text.includes("=") && text.length % 4 !== 0) return undefined;
  const binary = atob(text);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function verifySignature(headers: Headers, rawBody: Uint8Array | string, secret: string, now: number) {
  const id = headers.get("webhook-id");
  const timestamp = headers.get("webhook-timestamp");
  const signatureHeader = headers.get("webhook-signature");
  if (!id || !timestamp || !signatureHeader) throw new WebhookVerificationError("missing_signature_headers");

  if (!/^\d{1,15}$/.test(timestamp)) throw new WebhookVerificationError("invalid_timestamp");
  const nowSeconds = Math.floor(now / 1000);
  const sentSeconds = Number(timestamp);
  if (nowSeconds - sentSeconds > WEBHOOK_TOLERANCE_SECONDS) throw new WebhookVerificationError("timestamp_too_old");
  if (sentSeconds - nowSeconds > WEBHOOK_TOLERANCE_SECONDS) throw new WebhookVerificationError("timestamp_too_new");

  const candidates = signatureHeader
    // Several `webhook-signature` header lines reach us joined by ", " (the Fetch API merges
    // repeated headers), so an entry may end in that comma; it is not part of the signature.
    .split(" ")
    .map((entry) => entry.replace(/,+$/, ""))
    .filter((entry) => entry !== "")
    .flatMap((entry) => {
      const comma = entry.indexOf(",");
      return comma > 0 ? [{ version: entry.slice(0, comma), signature: entry.slice(comma + 1) }] : [];
    });
  // Entries without a "version," prefix are skipped like unknown versions; none at all is malformed.
  if (candidates.length === 0) throw new WebhookVerificationError("malformed_signature");

  const keyBytes = webhookSigningKey(secret);
  if (keyBytes === undefined) throw new WebhookVerificationError("invalid_secret_config");
  const key = await crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const body = typeof rawBody === "string" ? encoder.encode(rawBody) : rawBody;
  const prefix = encoder.encode(`${id}.${timestamp}.`);
  const signed = new Uint8Array(prefix.length + body.length);
  signed.set(prefix);
  signed.set(body, prefix.length);
  const expected = new Uint8Array(await crypto.subtle.sign("HMAC", key, signed));

  let matched = false;
  for (const candidate of candidates) {
    if (candidate.version !== "v1") continue;
    const presented = decodeBase64(candidate.signature);
    // No early exit: every v1 candidate costs the same constant-time comparison.
    if (presented !== undefined && timingSafeEqual(presented, expected)) matched = true;
  }
  if (!matched) throw new WebhookVerificationError("no_matching_signature");
}

/**
 * Constant-time equality of two secrets of any length: compares their SHA-256 digests, so
 * neither where they differ nor the expected length shows in the time taken.
 *
 * @example
 * ```ts
 * if (!(await equalSecretText(form.secret, env.ADMIN_SECRET))) return loginAgain(401);
 * ```
 */
export async function equalSecretText(presented: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([digestOf(presented), digestOfExpected(expected)]);
  return timingSafeEqual(a, b);
}

async function digestOf(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

/**
 * The last expected secret and its digest: a configured secret is the same on every request of
 * an isolate, so it is digested once (what the time of a comparison depends on is unchanged: the
 * presented text is digested each time). Kept as bytes, never as a promise of another request.
 */
let expectedDigest: { text: string; digest: Uint8Array } | undefined;

async function digestOfExpected(expected: string): Promise<Uint8Array> {
  if (expectedDigest?.text === expected) return expectedDigest.digest;
  const digest = await digestOf(expected);
  expectedDigest = { text: expected, digest };
  return digest;
}

/** Byte equality whose time depends only on the lengths, not on where the bytes differ. */
function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}
