import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MAX_EVENT_AGE_SECONDS, MAX_EVENTS_PER_REQUEST, type MetaError } from "./errors.ts";
import { ACTION_SOURCES, HASHED_KEYS, validateEvent, validateEventsBody } from "./validate.ts";

const NOW = 1_795_632_000;
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const EMAIL = "jane.doe@example.com";

/** A website event that passes every rule; each test breaks one. */
function goodEvent(): Record<string, any> {
  return {
    event_name: "Lead",
    event_time: NOW - 60,
    event_id: "cartful.ses_5f1c9a7e2b.2",
    action_source: "website",
    event_source_url: "https://shop.example.com/pages/skin-quiz",
    user_data: {
      em: sha256(EMAIL),
      ph: sha256("14155550123"),
      client_user_agent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X)",
      client_ip_address: "203.0.113.7",
      fbc: "fb.1.1732560123000.IwAR2xYz",
      fbp: "fb.1.1732560000000.1098765432",
    },
    custom_data: { value: 62.5, currency: "USD", content_ids: ["8012345"] },
  };
}

function errorOf(event: unknown, index = 0): MetaError["error"] | undefined {
  return validateEvent(event, index, NOW)?.error;
}

function withUserData(patch: Record<string, unknown>): Record<string, any> {
  const event = goodEvent();
  event.user_data = { ...event.user_data, ...patch };
  return event;
}

describe("the request", () => {
  it("accepts a good event and hands it back with the test event code", () => {
    const result = validateEventsBody({ data: [goodEvent()], test_event_code: "TEST123" }, NOW);
    expect(result).toEqual({ ok: true, events: [goodEvent()], testEventCode: "TEST123" });
  });

  it("requires data", () => {
    const result = validateEventsBody({}, NOW);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.error.error).toMatchObject({
        code: 100,
        error_subcode: 2804019,
        error_user_msg: "The parameter $['data'] is required.",
      });
  });

  it("requires data to be an array", () => {
    const result = validateEventsBody({ data: goodEvent() }, NOW);
    expect(!result.ok && result.error.error.error_user_msg).toContain("$['data'] must be an array");
  });

  it("refuses an empty data array", () => {
    const result = validateEventsBody({ data: [] }, NOW);
    expect(!result.ok && result.error.error.error_user_msg).toContain("(it holds 0)");
  });

  it(`takes ${MAX_EVENTS_PER_REQUEST} events and refuses one more`, () => {
    const many = Array.from({ length: MAX_EVENTS_PER_REQUEST }, goodEvent);
    expect(validateEventsBody({ data: many }, NOW).ok).toBe(true);
    const result = validateEventsBody({ data: [...many, goodEvent()] }, NOW);
    expect(!result.ok && result.error.error.error_user_msg).toContain(`(it holds ${MAX_EVENTS_PER_REQUEST + 1})`);
  });

  it("refuses a test_event_code that is not a string", () => {
    const result = validateEventsBody({ data: [goodEvent()], test_event_code: 123 }, NOW);
    expect(!result.ok && result.error.error.error_user_msg).toContain("$['test_event_code']");
  });

  it("refuses the whole request for one bad event, naming its index", () => {
    const bad = goodEvent();
    delete bad.event_name;
    const result = validateEventsBody({ data: [goodEvent(), goodEvent(), bad] }, NOW);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.error.error.error_user_msg).toBe("The parameter $['data'][2]['event_name'] is required.");
  });

  it("answers every refusal with Meta's envelope: code 100, a subcode, a title and HTTP 400", () => {
    const error = validateEvent({ ...goodEvent(), action_source: "web" }, 0, NOW)!;
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({
      message: "Invalid parameter",
      type: "OAuthException",
      code: 100,
      is_transient: false,
    });
    expect(error.error.error_subcode).toBeGreaterThan(2804000);
    expect(error.error.error_user_title).toBeTruthy();
  });

  it("never puts a value in its message", () => {
    const raw = withUserData({ em: EMAIL, client_ip_address: "203.0.113.7, 10.0.0.1" });
    expect(JSON.stringify(errorOf(raw))).not.toContain(EMAIL);
    expect(JSON.stringify(errorOf(withUserData({ client_ip_address: "203.0.113.7, 10.0.0.1" })))).not.toContain(
      "203.0.113.7",
    );
  });
});

describe("event_name", () => {
  it("is required", () => {
    expect(errorOf({ ...goodEvent(), event_name: undefined })?.error_user_msg).toBe(
      "The parameter $['data'][0]['event_name'] is required.",
    );
  });

  it("is a string", () => {
    expect(errorOf({ ...goodEvent(), event_name: 7 })?.error_user_msg).toContain("['event_name'] must be a string");
  });
});

describe("event_time", () => {
  it("is required, with Meta's subcode 2804019", () => {
    expect(errorOf({ ...goodEvent(), event_time: undefined })).toMatchObject({
      error_subcode: 2804019,
      error_user_title: "Server-side API parameter error",
      error_user_msg: "The parameter $['data'][0]['event_time'] is required.",
    });
  });

  it("is an integer number of seconds", () => {
    expect(errorOf({ ...goodEvent(), event_time: NOW - 0.5 })?.error_user_msg).toContain(
      "must be an integer Unix time in seconds",
    );
    expect(errorOf({ ...goodEvent(), event_time: String(NOW) })?.error_user_msg).toContain(
      "must be an integer Unix time in seconds",
    );
  });

  it("is refused more than 7 days old with Meta's 2804003 'Event Timestamp Too Old'", () => {
    expect(errorOf({ ...goodEvent(), event_time: NOW - MAX_EVENT_AGE_SECONDS - 1 }, 4)).toMatchObject({
      error_subcode: 2804003,
      error_user_title: "Event Timestamp Too Old",
      error_user_msg: expect.stringMatching(
        /^The timestamp for this event is too far in the past\..*\(\$\['data'\]\[4\]\['event_time'\]\)$/,
      ),
    });
  });

  it("is accepted exactly 7 days old", () => {
    expect(errorOf({ ...goodEvent(), event_time: NOW - MAX_EVENT_AGE_SECONDS })).toBeUndefined();
  });

  it("is refused in the future, even by one second", () => {
    expect(errorOf({ ...goodEvent(), event_time: NOW + 1 })?.error_user_msg).toContain(
      "['event_time'] is in the future",
    );
    expect(errorOf({ ...goodEvent(), event_time: NOW })).toBeUndefined();
  });

  it("catches milliseconds sent as seconds (they are far in the future)", () => {
    expect(errorOf({ ...goodEvent(), event_time: NOW * 1000 })?.error_user_msg).toContain("is in the future");
  });
});

describe("event_id", () => {
  it("is a string when present", () => {
    expect(errorOf({ ...goodEvent(), event_id: { id: 1 } })?.error_user_msg).toContain("['event_id'] must be a string");
  });
});

describe("action_source", () => {
  it("is required", () => {
    expect(errorOf({ ...goodEvent(), action_source: undefined })?.error_user_msg).toBe(
      "The parameter $['data'][0]['action_source'] is required.",
    );
  });

  it("is one of Meta's values", () => {
    expect(errorOf({ ...goodEvent(), action_source: "web" })?.error_user_msg).toContain(
      `must be one of ${ACTION_SOURCES.join(", ")}`,
    );
  });

  it.each(ACTION_SOURCES.filter((source) => source !== "website"))(
    "takes %s without a page URL or user agent",
    (source) => {
      const event = {
        ...goodEvent(),
        action_source: source,
        event_source_url: undefined,
        user_data: { em: sha256(EMAIL) },
      };
      expect(errorOf(event)).toBeUndefined();
    },
  );
});

describe("a website event", () => {
  it("requires event_source_url", () => {
    expect(errorOf({ ...goodEvent(), event_source_url: undefined })?.error_user_msg).toBe(
      "The parameter $['data'][0]['event_source_url'] is required.",
    );
  });

  it("requires event_source_url to be an http(s) URL", () => {
    expect(errorOf({ ...goodEvent(), event_source_url: "shop.example.com/quiz" })?.error_user_msg).toContain(
      "must be an absolute http(s) URL",
    );
  });

  it("requires user_data.client_user_agent", () => {
    expect(errorOf(withUserData({ client_user_agent: undefined }))?.error_user_msg).toBe(
      "The parameter $['data'][0]['user_data']['client_user_agent'] is required.",
    );
  });
});

describe("user_data", () => {
  it("is required", () => {
    expect(errorOf({ ...goodEvent(), user_data: undefined })?.error_user_msg).toBe(
      "The parameter $['data'][0]['user_data'] is required.",
    );
  });

  it("is an object", () => {
    expect(errorOf({ ...goodEvent(), user_data: [sha256(EMAIL)] })?.error_user_msg).toContain(
      "['user_data'] must be a JSON object",
    );
  });

  it("must hold something to match on (Meta's 2804050)", () => {
    const event = {
      ...goodEvent(),
      action_source: "system_generated",
      event_source_url: undefined,
      user_data: { madid: "" },
    };
    expect(errorOf(event)?.error_subcode).toBe(2804050);
  });

  describe.each(HASHED_KEYS)("%s", (key) => {
    it("takes 64 lowercase hex characters", () => {
      expect(errorOf(withUserData({ [key]: sha256(key) }))).toBeUndefined();
    });

    it("takes a Parameter Builder value with a legacy or an 8-character appendix", () => {
      expect(errorOf(withUserData({ [key]: `${sha256(key)}.AQ` }))).toBeUndefined();
      expect(errorOf(withUserData({ [key]: `${sha256(key)}.AQQCAQMC` }))).toBeUndefined();
    });

    it("takes an array of hashes", () => {
      expect(errorOf(withUserData({ [key]: [sha256("a"), sha256("b")] }))).toBeUndefined();
    });

    it("refuses an unhashed value", () => {
      expect(errorOf(withUserData({ [key]: "plain text" }))?.error_user_msg).toBe(
        `The parameter $['data'][0]['user_data']['${key}'] is not a valid SHA-256 hash: send 64 lowercase hex characters, or a Parameter Builder value (<64 hex>.<appendix>).`,
      );
    });

    it("refuses uppercase hex", () => {
      expect(errorOf(withUserData({ [key]: sha256(key).toUpperCase() }))).toBeDefined();
    });

    it("refuses a bad appendix", () => {
      expect(errorOf(withUserData({ [key]: `${sha256(key)}.ABC` }))).toBeDefined();
    });

    it("names the bad element of an array", () => {
      expect(errorOf(withUserData({ [key]: [sha256("a"), "b"] }))?.error_user_msg).toContain(
        `['user_data']['${key}'][1] is not`,
      );
    });
  });

  it("takes an IPv4 or IPv6 client_ip_address", () => {
    expect(errorOf(withUserData({ client_ip_address: "2001:db8::7" }))).toBeUndefined();
    expect(errorOf(withUserData({ client_ip_address: "8.8.8.8" }))).toBeUndefined();
  });

  it.each(["203.0.113.7, 10.0.0.1", "8.8.8.8.AQQAAQMC", "[::1]:443", "localhost"])(
    "refuses client_ip_address %s",
    (ip) => {
      expect(errorOf(withUserData({ client_ip_address: ip }))?.error_user_msg).toContain(
        "['client_ip_address'] must be one valid IPv4 or IPv6 address",
      );
    },
  );

  it("refuses a client_user_agent that is not a string", () => {
    expect(errorOf(withUserData({ client_user_agent: 5 }))?.error_user_msg).toContain(
      "['client_user_agent'] must be a string",
    );
  });

  describe.each(["fbc", "fbp"])("%s", (key) => {
    it("takes fb.{index}.{ms}.{value}, with or without a Parameter Builder appendix", () => {
      expect(errorOf(withUserData({ [key]: "fb.2.1732560123000.IwAR2xYz-_0" }))).toBeUndefined();
      expect(errorOf(withUserData({ [key]: "fb.1.1732560123000.IwAR2xYz.AQQCAQMC" }))).toBeUndefined();
      expect(errorOf(withUserData({ [key]: "fb.1.1732560123000.IwAR2xYz.Bg" }))).toBeUndefined();
    });

    it.each([
      "IwAR2xYz",
      "fb.1.x.IwAR2xYz",
      "fb.1.1732560123000.",
      "fb.1.1732560123000.IwAR.too.many",
      "fb.1.1732560123000.Iw AR",
    ])("refuses %s", (value) => {
      expect(errorOf(withUserData({ [key]: value }))?.error_user_msg).toContain(
        `['user_data']['${key}'] must have the form fb.`,
      );
    });
  });
});

describe("custom_data", () => {
  it("is an object", () => {
    expect(errorOf({ ...goodEvent(), custom_data: "62.5 USD" })?.error_user_msg).toContain(
      "['custom_data'] must be a JSON object",
    );
  });

  it("has a numeric value", () => {
    expect(errorOf({ ...goodEvent(), custom_data: { value: "62.50", currency: "USD" } })?.error_user_msg).toContain(
      "['custom_data']['value'] must be a number",
    );
  });

  it("has a 3-letter currency", () => {
    expect(errorOf({ ...goodEvent(), custom_data: { value: 1, currency: "US$" } })?.error_user_msg).toContain(
      "['custom_data']['currency'] must be a 3-letter",
    );
    expect(errorOf({ ...goodEvent(), custom_data: { value: 1, currency: "eur" } })).toBeUndefined();
  });

  it("is optional for a Lead", () => {
    expect(errorOf({ ...goodEvent(), custom_data: undefined })).toBeUndefined();
  });

  it("needs currency and value for a Purchase", () => {
    expect(errorOf({ ...goodEvent(), event_name: "Purchase", custom_data: undefined })?.error_user_msg).toContain(
      "['custom_data']['currency'] is required",
    );
    expect(
      errorOf({ ...goodEvent(), event_name: "Purchase", custom_data: { currency: "USD" } })?.error_user_msg,
    ).toContain("['custom_data']['value'] is required");
  });
});

describe("Limited Data Use", () => {
  it("takes LDU with a country and state", () => {
    expect(
      errorOf({
        ...goodEvent(),
        data_processing_options: ["LDU"],
        data_processing_options_country: 1,
        data_processing_options_state: 1000,
      }),
    ).toBeUndefined();
  });

  it("refuses other processing options and non-integer places", () => {
    expect(errorOf({ ...goodEvent(), data_processing_options: ["GDPR"] })?.error_user_msg).toContain(
      "['data_processing_options']",
    );
    expect(
      errorOf({ ...goodEvent(), data_processing_options: ["LDU"], data_processing_options_country: "1" })
        ?.error_user_msg,
    ).toContain("['data_processing_options_country'] must be an integer");
  });
});
