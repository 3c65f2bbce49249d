import { describe, expect, it } from "vitest";
import { eventNameFor, type Route, routesFor, storeHost } from "./routing";

const route = (name: string, match: Route["match"] = {}, byType: Record<string, string> = {}): Route => ({
  name,
  match,
  eventNames: { fallback: "Lead", byType },
});
const webhook = (overrides: { type?: string; domain?: string; quiz?: string } = {}) => ({
  type: overrides.type ?? "email:submit",
  store: { domain: overrides.domain },
  quiz: { id: overrides.quiz },
});
const names = (routes: Route[]) => routes.map((r) => r.name);

describe("routesFor", () => {
  it("sends a webhook to every destination without conditions, in configuration order", () => {
    expect(names(routesFor(webhook(), undefined, [route("a"), route("b")]))).toEqual(["a", "b"]);
  });

  it("splits a region by store domain, case, scheme, www and paths ignored", () => {
    const routes = [
      route("eu", { storeDomains: ["shop.example.de", "shop.example.fr"] }),
      route("us", { storeDomains: ["shop.example.com"] }),
    ];
    expect(names(routesFor(webhook({ domain: "https://WWW.Shop.Example.DE/" }), undefined, routes))).toEqual(["eu"]);
    expect(names(routesFor(webhook({ domain: "shop.example.com" }), undefined, routes))).toEqual(["us"]);
    expect(names(routesFor(webhook({ domain: "shop.example.it" }), undefined, routes))).toEqual([]);
    expect(names(routesFor(webhook(), undefined, routes))).toEqual([]);
  });

  it("matches subdomains with a *. pattern, and not the bare domain", () => {
    const routes = [route("all", { storeDomains: ["*.example.de"] })];
    expect(names(routesFor(webhook({ domain: "a.example.de" }), undefined, routes))).toEqual(["all"]);
    expect(names(routesFor(webhook({ domain: "example.de" }), undefined, routes))).toEqual([]);
  });

  it("takes a quiz's webhooks for a second pixel, exactly by id", () => {
    const routes = [route("main"), route("skin", { quizIds: ["qz_skin_finder"] })];
    expect(names(routesFor(webhook({ quiz: "qz_skin_finder" }), undefined, routes))).toEqual(["main", "skin"]);
    expect(names(routesFor(webhook({ quiz: "qz_other" }), undefined, routes))).toEqual(["main"]);
  });

  it("feeds a destination with a source only from its {source} route; one without a source takes every route", () => {
    const routes = [route("live"), route("test", { sources: ["staging"] })];
    expect(names(routesFor(webhook(), "staging", routes))).toEqual(["live", "test"]);
    expect(names(routesFor(webhook(), undefined, routes))).toEqual(["live"]);
    expect(names(routesFor(webhook(), "tiktok", routes))).toEqual(["live"]);
  });

  it("takes only the Studio types a destination lists", () => {
    const routes = [route("leads", { types: ["email:submit"] }), route("completes", { types: ["quiz:complete"] })];
    expect(names(routesFor(webhook({ type: "quiz:complete" }), undefined, routes))).toEqual(["completes"]);
  });

  it("needs every condition of a match to hold", () => {
    const routes = [
      route("narrow", { storeDomains: ["shop.example.de"], quizIds: ["q1"], sources: ["s"], types: ["email:submit"] }),
    ];
    expect(names(routesFor(webhook({ domain: "shop.example.de", quiz: "q1" }), "s", routes))).toEqual(["narrow"]);
    expect(names(routesFor(webhook({ domain: "shop.example.de", quiz: "q2" }), "s", routes))).toEqual([]);
    expect(names(routesFor(webhook({ domain: "shop.example.de", quiz: "q1" }), undefined, routes))).toEqual([]);
  });
});

describe("eventNameFor", () => {
  it("names the event per Studio type, the rest under the destination's default", () => {
    const r = route("a", {}, { "quiz:complete": "QuizComplete" });
    expect(eventNameFor(r, "quiz:complete")).toBe("QuizComplete");
    expect(eventNameFor(r, "email:submit")).toBe("Lead");
    expect(eventNameFor(r, "constructor")).toBe("Lead");
  });
});

describe("storeHost", () => {
  it.each([
    ["shop.example.com", "shop.example.com"],
    ["https://WWW.Shop.Example.com/pages/x?y=1", "shop.example.com"],
    ["shop.example.com:8443", "shop.example.com"],
    ["shop.example.com.", "shop.example.com"],
    ["  ", undefined],
    [undefined, undefined],
  ])("reads %j as %j", (domain, host) => {
    expect(storeHost(domain)).toBe(host);
  });
});
