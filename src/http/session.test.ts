import { describe, expect, it } from "vitest";
import {
  clearedSessionCookie,
  CSRF_HEADER,
  csrfToken,
  issueSession,
  readSession,
  requestSite,
  SESSION_COOKIE,
  SESSION_PATH,
  SESSION_TTL_SECONDS,
  sessionCookie,
  sessionTokenOf,
  validCsrf,
} from "./session";

const SECRET = "admin-s3cret";
const NOW = Date.parse("2026-11-25T19:00:00Z");
const TTL_MS = SESSION_TTL_SECONDS * 1000;

/** Replaces one dot-separated part of a token. */
function withPart(token: string, index: number, value: string): string {
  const parts = token.split(".");
  parts[index] = value;
  return parts.join(".");
}

describe("issueSession / readSession", () => {
  it("reads back the session it issued, expiring a TTL later (whole seconds)", async () => {
    const { token, session } = await issueSession(SECRET, NOW + 999);
    expect(session.expiresAt).toBe(Math.floor((NOW + 999) / 1000) * 1000 + TTL_MS);
    expect(await readSession(token, SECRET, NOW + 1000)).toEqual(session);
  });

  it("gives every session its own random id and token", async () => {
    const issued = await Promise.all(Array.from({ length: 20 }, () => issueSession(SECRET, NOW)));
    expect(new Set(issued.map((i) => i.session.id)).size).toBe(20);
    expect(new Set(issued.map((i) => i.token)).size).toBe(20);
  });

  it("holds nothing but the version, expiry, id and MAC (no secret in it)", async () => {
    const { token, session } = await issueSession(SECRET, NOW);
    expect(token).toMatch(new RegExp(`^v1\\.${session.expiresAt / 1000}\\.${session.id}\\.[A-Za-z0-9_-]{43}$`));
    expect(token).not.toContain(SECRET);
  });

  it("is valid until the last millisecond before expiry, and not at it", async () => {
    const { token, session } = await issueSession(SECRET, NOW);
    expect(await readSession(token, SECRET, session.expiresAt - 1)).toEqual(session);
    expect(await readSession(token, SECRET, session.expiresAt)).toBeUndefined();
  });

  it("is refused under another ADMIN_SECRET: rotating the secret logs everyone out", async () => {
    const { token } = await issueSession(SECRET, NOW);
    expect(await readSession(token, `${SECRET}-rotated`, NOW)).toBeUndefined();
  });

  it("refuses a token whose expiry, id or MAC was changed", async () => {
    const { token, session } = await issueSession(SECRET, NOW);
    const later = String(session.expiresAt / 1000 + 3600);
    const otherId = `${session.id.slice(0, -1)}${session.id.endsWith("A") ? "B" : "A"}`;
    const parts = token.split(".");
    const otherMac = `${parts[3]!.slice(0, -1)}${parts[3]!.endsWith("A") ? "B" : "A"}`;
    for (const forged of [withPart(token, 1, later), withPart(token, 2, otherId), withPart(token, 3, otherMac)]) {
      expect(await readSession(forged, SECRET, NOW)).toBeUndefined();
    }
  });

  it("refuses a token that claims to last longer than any session the relay issues", async () => {
    const { token } = await issueSession(SECRET, NOW + 2 * 60_000);
    expect(await readSession(token, SECRET, NOW)).toBeUndefined();
    expect(await readSession(token, SECRET, NOW + 2 * 60_000)).toBeDefined();
  });

  it.each([
    ["empty", ""],
    ["another version", "v2.1764126000.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
    ["a part missing", "v1.1764126000.AAAAAAAAAAAAAAAAAAAAAA"],
    ["a part too many", "v1.1764126000.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.x"],
    ["not base64url", "v1.1764126000.AAAAAAAAAAAAAAAAAAAAA+.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
  ])("refuses a malformed token (%s)", async (_, token) => {
    expect(await readSession(token, SECRET, NOW)).toBeUndefined();
  });

  it("refuses everything without a secret", async () => {
    const { token } = await issueSession(SECRET, NOW);
    expect(await readSession(token, "", NOW)).toBeUndefined();
    expect(await readSession(undefined, SECRET, NOW)).toBeUndefined();
  });
});

describe("the session cookie", () => {
  it("is HttpOnly, Secure, SameSite=Strict, on /admin only, and lives as long as the token", async () => {
    const { token, session } = await issueSession(SECRET, NOW);
    const cookie = sessionCookie(token, session, NOW);
    const [pair, ...attributes] = cookie.split("; ");
    expect(pair).toBe(`${SESSION_COOKIE}=${token}`);
    expect(attributes.sort()).toEqual(
      ["HttpOnly", `Max-Age=${SESSION_TTL_SECONDS}`, `Path=${SESSION_PATH}`, "SameSite=Strict", "Secure"].sort(),
    );
    expect(sessionCookie(token, session, session.expiresAt - 59_500)).toContain("Max-Age=60;");
    expect(sessionCookie(token, session, NOW + 999)).toContain(`Max-Age=${SESSION_TTL_SECONDS};`);
  });

  it("is cleared with the same name, path and attributes and Max-Age=0", () => {
    const attributes = clearedSessionCookie().split("; ");
    expect(attributes[0]).toBe(`${SESSION_COOKIE}=`);
    expect(attributes.slice(1).sort()).toEqual(
      ["HttpOnly", "Max-Age=0", `Path=${SESSION_PATH}`, "SameSite=Strict", "Secure"].sort(),
    );
  });

  it("is read from a Cookie header among others, and only under its own name", async () => {
    const { token } = await issueSession(SECRET, NOW);
    expect(sessionTokenOf(`theme=dark; ${SESSION_COOKIE}=${token}; other=1`)).toBe(token);
    expect(sessionTokenOf(`relay_admin=${token}`)).toBeUndefined();
    expect(sessionTokenOf("theme=dark")).toBeUndefined();
    expect(sessionTokenOf(undefined)).toBeUndefined();
    expect(sessionTokenOf(null)).toBeUndefined();
  });
});

describe("CSRF tokens", () => {
  it("accepts the session's own token", async () => {
    const { session } = await issueSession(SECRET, NOW);
    const token = await csrfToken(session, SECRET);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await validCsrf(token, session, SECRET)).toBe(true);
  });

  it("refuses a missing, a wrong, another session's and another secret's token", async () => {
    const { session } = await issueSession(SECRET, NOW);
    const { session: other } = await issueSession(SECRET, NOW);
    const own = await csrfToken(session, SECRET);
    expect(await validCsrf(undefined, session, SECRET)).toBe(false);
    expect(await validCsrf("", session, SECRET)).toBe(false);
    expect(await validCsrf(`${own.slice(0, -1)}${own.endsWith("A") ? "B" : "A"}`, session, SECRET)).toBe(false);
    expect(await validCsrf(await csrfToken(other, SECRET), session, SECRET)).toBe(false);
    expect(await validCsrf(await csrfToken(session, "another-secret"), session, SECRET)).toBe(false);
  });

  it("is not the session token, nor derivable from it without the secret", async () => {
    const { token, session } = await issueSession(SECRET, NOW);
    const csrf = await csrfToken(session, SECRET);
    expect(token).not.toContain(csrf);
    expect(CSRF_HEADER).toBe("x-csrf-token");
  });
});

describe("requestSite", () => {
  const URL_ = "https://relay.example.workers.dev/admin/logout";
  const site = (headers: Record<string, string>) => requestSite(new Headers(headers), URL_);

  it("is same for the console's own origin, by either header or both", () => {
    expect(site({ origin: "https://relay.example.workers.dev" })).toBe("same");
    expect(site({ "sec-fetch-site": "same-origin" })).toBe("same");
    expect(site({ "sec-fetch-site": "same-origin", origin: "https://relay.example.workers.dev" })).toBe("same");
  });

  it("goes by Sec-Fetch-Site when present: a no-referrer page's own POST carries Origin: null", () => {
    expect(site({ "sec-fetch-site": "same-origin", origin: "null" })).toBe("same");
    expect(site({ "sec-fetch-site": "cross-site", origin: "https://relay.example.workers.dev" })).toBe("cross");
  });

  it.each([
    ["another origin", { origin: "https://evil.example" }],
    ["another port", { origin: "https://relay.example.workers.dev:8443" }],
    ["http instead of https", { origin: "http://relay.example.workers.dev" }],
    ["an opaque origin", { origin: "null" }],
    ["same-site but not same-origin", { "sec-fetch-site": "same-site" }],
    ["cross-site", { "sec-fetch-site": "cross-site" }],
    ["typed into the address bar", { "sec-fetch-site": "none" }],
  ])("is cross for %s", (_, headers) => {
    expect(site(headers)).toBe("cross");
  });

  it("is unknown without either header", () => {
    expect(site({})).toBe("unknown");
  });
});
