import { describe, expect, it } from "vitest";
import type { Destination } from "../config/settings";
import type { BrowserEventPlan } from "../transform/browserEvents";
import {
  botAnswer,
  browserRecord,
  collectAnswer,
  corsHeaders,
  isCollectContentType,
  preflightHeaders,
} from "./collectRoute";

describe("isCollectContentType", () => {
  it.each(["application/json", "text/plain", "text/plain;charset=UTF-8", " Application/JSON ; charset=utf-8"])(
    "reads %s",
    (type) => expect(isCollectContentType(type)).toBe(true),
  );
  it.each([
    undefined,
    "",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "text/html",
    "application/jsonx",
  ])("refuses %s", (type) => expect(isCollectContentType(type)).toBe(false));
});

describe("CORS headers", () => {
  it("name the origin exactly, with credentials, Retry-After readable, varying by origin", () => {
    expect(corsHeaders("https://shop.example.com")).toEqual({
      "Access-Control-Allow-Origin": "https://shop.example.com",
      "Access-Control-Allow-Credentials": "true",
      "Access-Control-Expose-Headers": "Retry-After",
      Vary: "Origin",
    });
    expect(preflightHeaders("https://shop.example.com")).toMatchObject({
      "Access-Control-Allow-Origin": "https://shop.example.com",
      "Access-Control-Allow-Methods": "POST, OPTIONS",
      "Access-Control-Allow-Headers": "Content-Type",
      "Access-Control-Max-Age": "86400",
    });
  });
});

const destination = (name: string) =>
  ({ name, pixelId: "1", browserEvents: new Map([["product:view", "ViewContent"]]) }) as unknown as Destination;
const event = (id: string) =>
  ({ event_id: id, event_name: "ViewContent", event_time: 1, action_source: "website", user_data: {} }) as const;
const PLANS: BrowserEventPlan<Destination>[] = [
  {
    index: 0,
    eventId: "cartful.s.1.product:view.1",
    type: "product:view",
    match: { sent: [], dropped: {} },
    status: "send",
    deliveries: [{ destination: destination("default"), event: event("cartful.s.1.product:view.1") }],
    skipped: [{ destination: destination("eu"), reason: "consent_not_granted" }],
  },
  {
    index: 1,
    eventId: "cartful.s.1.email:submit",
    type: "email:submit",
    match: { sent: [], dropped: {} },
    status: "skipped",
    reason: "webhook_only",
  },
  {
    index: 2,
    eventId: undefined,
    type: "quiz:start",
    match: { sent: [], dropped: {} },
    status: "skipped",
    reason: "personal_event_id",
  },
];

describe("collectAnswer", () => {
  it("gives each event's status in order, and never an id that may not be echoed", () => {
    expect(collectAnswer(PLANS, "queued")).toEqual({
      status: "queued",
      events: [
        { event_id: "cartful.s.1.product:view.1", status: "queued" },
        { event_id: "cartful.s.1.email:submit", status: "skipped", reason: "webhook_only" },
        { status: "skipped", reason: "personal_event_id" },
      ],
    });
    expect(collectAnswer(PLANS, "dry_run").events[0]).toEqual({
      event_id: "cartful.s.1.product:view.1",
      status: "dry_run",
    });
  });
});

describe("botAnswer", () => {
  it("skips every event, naming back every id but one carrying personal data", () => {
    expect(
      botAnswer(["cartful.s.1.quiz:complete", "cartful.jane@example.com.1", "fbq.1", undefined], "queued"),
    ).toEqual({
      status: "queued",
      reason: "known_bot",
      events: [
        { event_id: "cartful.s.1.quiz:complete", status: "skipped", reason: "known_bot" },
        { status: "skipped", reason: "known_bot" },
        { event_id: "fbq.1", status: "skipped", reason: "known_bot" },
        { status: "skipped", reason: "known_bot" },
      ],
    });
  });
});

describe("browserRecord", () => {
  it("counts the request's events, and each delivery and consent skip per destination and event name", () => {
    expect(browserRecord(PLANS, "queued")).toEqual({
      outcome: "accepted",
      events: 3,
      deliveries: [
        { destination: "default", eventName: "ViewContent", status: "queued" },
        { destination: "eu", eventName: "ViewContent", status: "skipped" },
      ],
    });
  });

  it("counts an event every destination refused for consent as skipped at each of them", () => {
    const denied: BrowserEventPlan<Destination> = {
      index: 0,
      eventId: "cartful.s.1.product:view.2",
      type: "product:view",
      match: { sent: [], dropped: {} },
      status: "skipped",
      reason: "consent_denied",
      skipped: [
        { destination: destination("default"), reason: "consent_denied" },
        { destination: destination("eu"), reason: "consent_denied" },
      ],
    };
    expect(browserRecord([denied], "queued")).toEqual({
      outcome: "accepted",
      events: 1,
      deliveries: [
        { destination: "default", eventName: "ViewContent", status: "skipped" },
        { destination: "eu", eventName: "ViewContent", status: "skipped" },
      ],
    });
  });
});
