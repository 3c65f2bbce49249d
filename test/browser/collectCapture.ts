/**
 * A stand-in for the relay's `/collect/cartful` in the real-browser tests: a server on its own
 * port (so another origin than the shop page) that records every request and answers CORS as the
 * contract says for one allowed origin (`Access-Control-Allow-Origin: <origin>`,
 * `Access-Control-Allow-Credentials: true`, `Vary: Origin`), 202 for a POST. Kept apart and small:
 * the real relay under `wrangler dev` takes its place once the route exists.
 *
 * @example
 * ```ts
 * const capture = await captureCollect("http://127.0.0.1:5173");
 * // … the page sends events to capture.url …
 * await expect.poll(() => capture.requests.length).toBe(1);
 * await capture.close();
 * ```
 */
import { serve } from "./server";

/** One request the stand-in received. */
export interface CollectRequest {
  method: string;
  origin: string | null;
  contentType: string | null;
  cookie: string | null;
  /** The parsed JSON body (POST only). */
  body: any;
}

export interface CollectCapture {
  /** The collect URL: `http://127.0.0.1:{port}/collect/cartful`. */
  url: string;
  requests: CollectRequest[];
  close(): Promise<void>;
}

/** Serves the stand-in, allowing `origin` (the shop page's) only. */
export async function captureCollect(origin: string): Promise<CollectCapture> {
  const requests: CollectRequest[] = [];
  const served = await serve(async (request) => {
    if (new URL(request.url).pathname !== "/collect/cartful") return new Response("not found", { status: 404 });
    const from = request.headers.get("origin");
    const text = request.method === "POST" ? await request.text() : "";
    requests.push({
      method: request.method,
      origin: from,
      contentType: request.headers.get("content-type"),
      cookie: request.headers.get("cookie"),
      body: text === "" ? undefined : (JSON.parse(text) as unknown),
    });
    if (from !== origin) return new Response(null, { status: 403 });
    const cors = {
      "access-control-allow-origin": origin,
      "access-control-allow-credentials": "true",
      vary: "Origin",
    };
    if (request.method === "OPTIONS") {
      return new Response(null, {
        status: 204,
        headers: { ...cors, "access-control-allow-methods": "POST", "access-control-allow-headers": "content-type" },
      });
    }
    return Response.json({ status: "queued" }, { status: 202, headers: cors });
  });
  return { url: new URL("/collect/cartful", served.url).href, requests, close: served.close };
}
