import { describe, expect, it } from "vitest";
import { eventId } from "./eventId";

describe("eventId", () => {
  it("is built from the session and the attempt", () => {
    expect(eventId({ id: "evt_1", session: { id: "ses_5f1c9a7e2b", attempt: 2 } })).toBe("cartful.ses_5f1c9a7e2b.2");
  });

  it("is the same for a redelivery of the same Studio event", () => {
    const first = eventId({ id: "evt_1", session: { id: "ses_a", attempt: 1 } });
    const again = eventId({ id: "evt_1", session: { id: "ses_a", attempt: 1 } });
    expect(again).toBe(first);
  });

  it("changes on a retake", () => {
    const first = eventId({ id: "evt_1", session: { id: "ses_a", attempt: 1 } });
    const retake = eventId({ id: "evt_2", session: { id: "ses_a", attempt: 2 } });
    expect(retake).not.toBe(first);
  });

  it("changes for another session", () => {
    const one = eventId({ id: "evt_1", session: { id: "ses_a", attempt: 1 } });
    const other = eventId({ id: "evt_1", session: { id: "ses_b", attempt: 1 } });
    expect(other).not.toBe(one);
  });

  it("does not depend on Studio's event id while a session is known", () => {
    // The browser never sees Studio's webhook id; the Pixel must still reach the same value.
    const a = eventId({ id: "evt_1", session: { id: "ses_a", attempt: 1 } });
    const b = eventId({ id: "evt_other", session: { id: "ses_a", attempt: 1 } });
    expect(a).toBe(b);
  });

  it("gives other Studio types their own id in the same attempt", () => {
    const session = { id: "ses_a", attempt: 1 };
    expect(eventId({ id: "e1", type: "email:submit", session })).toBe("cartful.ses_a.1");
    expect(eventId({ id: "e2", type: "quiz:complete", session })).toBe("cartful.ses_a.1.quiz:complete");
  });

  it("ignores white space around the session id", () => {
    expect(eventId({ id: "e", session: { id: " ses_a ", attempt: 3 } })).toBe("cartful.ses_a.3");
  });

  it("falls back to Studio's event id without a session", () => {
    expect(eventId({ id: "evt_9", session: { id: undefined, attempt: 1 } })).toBe("cartful.evt_9");
    expect(eventId({ id: "evt_9", session: { id: "  ", attempt: 1 } })).toBe("cartful.evt_9");
  });
});
