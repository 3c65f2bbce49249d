/**
 * The real-browser harness itself (chromium.ts, server.ts, console.ts), which later browser tests
 * reuse: where it looks for a browser, when it skips and when it fails, what the local server
 * answers, and what the page watch reports.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumPath, DEBIAN_CHROMIUM, launchChromium } from "./chromium";
import { watchPage } from "./console";
import { serve, staticRoutes, type Served } from "./server";

describe("launchChromium", () => {
  it("takes CHROME_PATH when it names a file, else Debian's chromium", () => {
    expect(chromiumPath({ CHROME_PATH: process.execPath })).toBe(process.execPath);
    expect(chromiumPath({ CHROME_PATH: "/nonexistent/chrome" })).toBeUndefined();
    expect(chromiumPath({ CHROME_PATH: " " })).toBe(chromiumPath({}));
    expect([DEBIAN_CHROMIUM, undefined]).toContain(chromiumPath({}));
  });

  it("skips with one line saying how to get a browser when there is none", async () => {
    const said: string[] = [];
    const launched = await launchChromium({ CHROME_PATH: "/nonexistent/chrome" }, (line) => said.push(line));
    expect(launched.browser).toBeUndefined();
    expect(launched.skipReason).toMatch(
      /^no Chromium at CHROME_PATH \(\/nonexistent\/chrome\): apt-get install chromium/,
    );
    expect(said).toEqual([`browser tests skipped: ${launched.skipReason}`]);
    expect(said[0]).not.toContain("\n");
  });

  it("fails instead under CI=true, so CI cannot pass by skipping", async () => {
    await expect(launchChromium({ CHROME_PATH: "/nonexistent/chrome", CI: "true" }, () => {})).rejects.toThrow(
      /browser tests cannot run under CI: .*apt-get install chromium/,
    );
  });

  it("fails when a browser is there but does not start: a broken install is not a missing one", async () => {
    await expect(launchChromium({ CHROME_PATH: "/bin/false" })).rejects.toThrow();
  });
});

describe("serve", () => {
  let server: Served;
  beforeAll(async () => {
    server = await serve(async (request) => {
      const url = new URL(request.url);
      if (url.pathname === "/echo") {
        return Response.json({
          method: request.method,
          body: await request.text(),
          type: request.headers.get("content-type"),
        });
      }
      if (url.pathname === "/throw") throw new Error("handler broke");
      return staticRoutes({ "/page": { type: "text/html", body: "<p>é</p>" } })(request);
    });
  });
  afterAll(() => server.close());

  it("listens on 127.0.0.1", () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it("serves static files with their type, and 404 for anything else", async () => {
    const page = await fetch(new URL("/page", server.url));
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await page.text()).toBe("<p>é</p>");
    expect((await fetch(new URL("/missing", server.url))).status).toBe(404);
  });

  it("hands the handler the request's method, headers and body", async () => {
    const answer = await fetch(new URL("/echo", server.url), {
      method: "POST",
      body: '{"a":1}',
      headers: { "content-type": "application/json" },
    });
    expect(await answer.json()).toEqual({ method: "POST", body: '{"a":1}', type: "application/json" });
  });

  it("answers 500 with the message when the handler throws", async () => {
    const answer = await fetch(new URL("/throw", server.url));
    expect([answer.status, await answer.text()]).toEqual([500, "handler broke"]);
  });
});

const chromium = await launchChromium();

describe.skipIf(!chromium.browser)("watchPage in Chromium", () => {
  let server: Served;
  afterAll(async () => {
    await chromium.browser?.close();
    await server?.close();
  });

  it("reports console errors, uncaught exceptions and failed loads, and nothing on a clean page", async () => {
    server = await serve(
      staticRoutes({
        "/clean": {
          type: "text/html",
          body: '<!doctype html><link rel="icon" href="data:,"><script>console.log("fine")</script>',
        },
        "/broken": {
          type: "text/html",
          body:
            '<!doctype html><link rel="icon" href="data:,"><script src="/missing.js"></script>' +
            '<script>console.error("boom"); setTimeout(function () { undefinedFunction(); });</script>',
        },
      }),
    );
    const page = await chromium.browser!.newPage();
    const problems = watchPage(page);
    await page.goto(new URL("/clean", server.url).href);
    expect(problems.list()).toEqual([]);
    await page.goto(new URL("/broken", server.url).href);
    await expect.poll(() => problems.list().some((p) => p.startsWith("uncaught:"))).toBe(true);
    const found = problems.list().join("\n");
    expect(found).toContain("console.error: boom");
    expect(found).toContain("uncaught: undefinedFunction is not defined");
    expect(found).toMatch(/HTTP 404: http:\/\/127\.0\.0\.1:\d+\/missing\.js/);
    problems.clear();
    expect(problems.list()).toEqual([]);
    await page.close();
  });
});
