import { describe, expect, it } from "vitest";
import { sampleConsoleModel } from "./model.sample";
import { renderShell } from "./shell";

describe("renderShell", () => {
  const shell = renderShell({ nonce: "bm9uY2U=", csrfToken: "csrf-of-the-session" });

  it("loads the stylesheet, then the page's renderer and the buttons' script, under the nonce, with nothing inline", () => {
    expect(shell.match(/<link rel="stylesheet"[^>]*>/g)).toEqual([
      '<link rel="stylesheet" href="/console/console.css" nonce="bm9uY2U=">',
    ]);
    expect(shell.match(/<script[^>]*>/g)).toEqual([
      '<script src="/console/page.js" nonce="bm9uY2U=">',
      '<script src="/console/console.js" nonce="bm9uY2U=">',
    ]);
    expect(shell).not.toContain("<style");
    expect(shell).not.toMatch(/\son[a-z]+=/i);
    expect(shell).not.toMatch(/\sstyle=/i);
  });

  it("is readable on a phone and loads nothing from elsewhere", () => {
    expect(shell).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(shell).toContain('<link rel="icon" href="data:,">');
    expect(shell).not.toMatch(/\s(src|href)="(https?:)?\/\//i);
  });

  it("carries the session's CSRF token for the scripts, escaped", () => {
    expect(shell).toContain('<meta name="csrf-token" content="csrf-of-the-session">');
    const tricky = renderShell({ nonce: 'n"o', csrfToken: `"><script>x</script>` });
    expect(tricky).toContain('<meta name="csrf-token" content="&quot;&gt;&lt;script&gt;x&lt;/script&gt;">');
    expect(tricky).toContain('nonce="n&quot;o"');
    expect(tricky.split("<script").length - 1).toBe(2);
  });

  it("says the console needs JavaScript, for a browser without it, and holds no data", () => {
    expect(shell).toMatch(/<noscript><p class="alert bad" data-noscript>The console needs JavaScript/);
    expect(shell).not.toContain("data-destination");
  });

  it("shows the headline numbers in plain text when it has the model: webhooks, and each destination's counts", () => {
    const model = sampleConsoleModel(Date.parse("2026-11-25T19:00:00Z"));
    const glance = renderShell({ nonce: "bm9uY2U=", csrfToken: "", glance: model });
    const w = model.webhooks["24h"];
    expect(glance).toContain(`Last 24 hours: ${w.received} webhooks received, ${w.unauthorized} unauthorized`);
    for (const d of model.destinations) {
      const n = d.counts["24h"];
      expect(glance).toContain(`<li>${d.name} (pixel ${d.pixelId}, ${d.mode}): ${n.routed} routed, ${n.sent} sent,`);
    }
    expect(glance).toContain(`${model.deadLetters.length} dead letters waiting.`);
    expect(glance.split("<script").length - 1).toBe(2); // still only the two scripts
  });

  it("escapes what it shows of the model", () => {
    const model = sampleConsoleModel(Date.parse("2026-11-25T19:00:00Z"));
    const tricky = { ...model, destinations: [{ ...model.destinations[0]!, name: "<img src=x onerror=alert(1)>" }] };
    const glance = renderShell({ nonce: "bm9uY2U=", csrfToken: "", glance: tricky });
    expect(glance).toContain("&lt;img src=x onerror=alert(1)&gt; (pixel");
    expect(glance).not.toContain("<img");
  });
});
