/**
 * A fake Graph API for the end-to-end benchmark: answers every POST at once with Meta's
 * success shape, and counts what it received. Run as its own process so its CPU does not
 * land in the load generator's.
 *
 * GET /__stats -> { posts, events, withToken, byPath }    POST /__reset -> zeroes the counters
 *
 * @example
 * node bench/fake-graph.mjs 8788   # prints "listening 8788"
 */
import http from "node:http";

const port = Number(process.argv[2] ?? 0);
let stats = { posts: 0, events: 0, withToken: 0, byPath: {} };
const answer = JSON.stringify({ events_received: 1, messages: [], fbtrace_id: "AbCdEfBench" });

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    if (req.method === "GET" && req.url === "/__stats") {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify(stats));
    }
    if (req.method === "POST" && req.url === "/__reset") {
      stats = { posts: 0, events: 0, withToken: 0, byPath: {} };
      return res.end("{}");
    }
    stats.posts++;
    stats.byPath[req.url] = (stats.byPath[req.url] ?? 0) + 1;
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      if (Array.isArray(body.data)) stats.events += body.data.length;
      if (body.access_token) stats.withToken++;
    } catch {
      // the bare Worker forwards the raw webhook; it is counted as a post only
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(answer);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, "127.0.0.1", () => console.log(`listening ${server.address().port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
