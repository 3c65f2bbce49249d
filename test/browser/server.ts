/**
 * A local web server for the real-browser tests: any fetch-style handler (`Request` in,
 * `Response` out: a Hono app's `fetch`, or {@link staticRoutes}) served over HTTP on 127.0.0.1,
 * a secure context in Chromium, so pages get `crypto.subtle` as they do on https.
 *
 * @example
 * ```ts
 * const server = await serve(staticRoutes({ "/": { type: "text/html", body: "<p>hi</p>" } }));
 * await page.goto(server.url);
 * await server.close();
 * ```
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type FetchHandler = (request: Request) => Response | Promise<Response>;

export interface Served {
  /** `http://127.0.0.1:{port}/` */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `handler` on a free port of 127.0.0.1 until `close()`. A handler that throws answers 500
 * with the error's message (a test page then shows a console error, which the tests catch).
 */
export async function serve(handler: FetchHandler): Promise<Served> {
  const server = createServer((req, res) => {
    void answer(handler, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function answer(handler: FetchHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === "string") headers.set(name, value);
      else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    }
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const request = new Request(new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`), {
      method: req.method ?? "GET",
      headers,
      ...(hasBody ? { body: Buffer.concat(chunks) } : {}),
    });
    const response = await handler(request);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  } catch (error) {
    res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
    res.end(error instanceof Error ? error.message : String(error));
  }
}

/** A page or script served at a path. */
export interface StaticFile {
  type: string;
  body: string;
}

/**
 * A handler serving fixed files by path; anything else is a 404.
 *
 * @example
 * ```ts
 * staticRoutes({ "/app.js": { type: "text/javascript", body: "…" } });
 * ```
 */
export function staticRoutes(files: Record<string, StaticFile>): FetchHandler {
  return (request) => {
    const file = files[new URL(request.url).pathname];
    if (file === undefined) return new Response("not found", { status: 404 });
    return new Response(file.body, { headers: { "content-type": `${file.type}; charset=utf-8` } });
  };
}
