import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { ApiError, ERROR_STATUS, errorResponse } from "./errors";

describe("ApiError", () => {
  it("takes its status from the code's one entry in the table", () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      expect(new ApiError(code as keyof typeof ERROR_STATUS, "m").status).toBe(status);
    }
    expect(new ApiError("meta_rejected_configuration", "m").status).toBe(502);
  });

  it("renders the contract's shape, issues inside error and beside it, extras beside it", async () => {
    const issues = [{ path: "shopper.email", message: "Required" }];
    const error = new ApiError("invalid_webhook", "The webhook does not match the schema", {
      issues,
      detail: { event_id: "cartful.ses_1.1" },
      extra: { destinations: [] },
    });
    const res = error.getResponse();
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      error: {
        code: "invalid_webhook",
        message: "The webhook does not match the schema",
        event_id: "cartful.ses_1.1",
        issues,
      },
      issues,
      destinations: [],
    });
  });

  it("carries Retry-After when it has one, and no issues when it has none", async () => {
    const res = new ApiError("queue_unavailable", "Redeliver later", { retryAfter: 30 }).getResponse();
    expect(res.headers.get("retry-after")).toBe("30");
    expect(await res.json()).toEqual({ error: { code: "queue_unavailable", message: "Redeliver later" } });
    expect(new ApiError("not_found", "No").getResponse().headers.has("retry-after")).toBe(false);
  });

  it("is answered when thrown, by a Hono app without an onError of its own", async () => {
    const app = new Hono().get("/", () => {
      throw new ApiError("csrf_failed", "Missing or wrong CSRF token");
    });
    const res = await app.request("/");
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: { code: "csrf_failed", message: "Missing or wrong CSRF token" } });
  });
});

describe("errorResponse", () => {
  it("keeps the headers the handler set before the error", async () => {
    const app = new Hono().get("/", (c) => {
      c.header("cache-control", "no-store");
      return errorResponse(c, new ApiError("meta_unavailable", "Try later", { retryAfter: 5 }));
    });
    const res = await app.request("/");
    expect(res.status).toBe(503);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("retry-after")).toBe("5");
    expect(await res.json()).toEqual({ error: { code: "meta_unavailable", message: "Try later" } });
  });
});
