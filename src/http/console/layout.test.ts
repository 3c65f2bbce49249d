import { html } from "hono/html";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CONSOLE_STYLESHEET_PATH, contentSecurityPolicy, htmlText, newNonce, pageHeaders, pageShell } from "./layout";
import { CONSOLE_PAGE_PATH, CONSOLE_SCRIPT_PATH } from "./script";
import { renderLogin, renderNotice, SECRET_FIELD } from "./login";

describe("newNonce", () => {
  it("is 128 random bits in base64, new every time", () => {
    const nonces = Array.from({ length: 50 }, newNonce);
    for (const nonce of nonces) expect(atob(nonce)).toHaveLength(16);
    expect(new Set(nonces).size).toBe(50);
  });
});

describe("pageHeaders", () => {
  it("sends the strict CSP with the nonce, no caching, no sniffing, no referrer", () => {
    expect(pageHeaders("abc")).toEqual({
      "content-type": "text/html; charset=utf-8",
      "content-security-policy":
        "default-src 'none'; script-src 'nonce-abc'; style-src 'nonce-abc'; img-src data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    });
    expect(contentSecurityPolicy("abc")).toBe(pageHeaders("abc")["content-security-policy"]);
  });
});

describe("pageShell", () => {
  it("loads the stylesheet and the scripts from the static assets under the nonce, in order, and escapes the title", () => {
    const scripts = [CONSOLE_PAGE_PATH, CONSOLE_SCRIPT_PATH];
    const page = pageShell({ title: "<b>t</b>", nonce: "n1", body: html`<p>hi</p>`, scripts });
    expect(page).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(page).toContain("<title>&lt;b&gt;t&lt;/b&gt;</title>");
    expect(page).toContain(`<link rel="stylesheet" href="${CONSOLE_STYLESHEET_PATH}" nonce="n1">`);
    expect(page.match(/<script[^>]*><\/script>/g)).toEqual([
      '<script src="/console/page.js" nonce="n1"></script>',
      '<script src="/console/console.js" nonce="n1"></script>',
    ]);
  });

  it("finds its stylesheet and scripts among the static assets (public/)", () => {
    for (const path of [CONSOLE_STYLESHEET_PATH, CONSOLE_PAGE_PATH, CONSOLE_SCRIPT_PATH])
      expect(existsSync(fileURLToPath(new URL(`../../../public${path}`, import.meta.url)))).toBe(true);
  });

  it("has no script when none is given", () => {
    expect(pageShell({ title: "t", nonce: "n1", body: html`<p>hi</p>` })).not.toContain("<script");
  });
});

describe("htmlText", () => {
  it("refuses an asynchronous fragment", () => {
    expect(() => htmlText(html`${Promise.resolve("x")}`)).toThrow(/must not be asynchronous/);
  });
});

describe("renderLogin", () => {
  it("posts the secret to /admin/login and shows no data, no script", () => {
    const page = renderLogin({ nonce: "n1" });
    expect(page).toContain('<form method="post" action="/admin/login">');
    expect(page).toContain(
      `<input type="password" id="secret" name="${SECRET_FIELD}" autocomplete="current-password" required autofocus>`,
    );
    expect(page).not.toContain("<script");
    expect(page).not.toContain("data-login-problem");
  });

  it("says why the last try failed, escaped", () => {
    expect(renderLogin({ nonce: "n1", problem: "Wrong <secret>" })).toContain(
      '<div class="alert bad" role="alert" data-login-problem>Wrong &lt;secret&gt;</div>',
    );
  });
});

describe("renderNotice", () => {
  it("shows a title and a sentence", () => {
    const page = renderNotice({ nonce: "n1", title: "The console is off", text: "Set ADMIN_SECRET." });
    expect(page).toContain("<h1>The console is off</h1><p>Set ADMIN_SECRET.</p>");
  });
});
