/**
 * Bare forwarding Worker (bench baseline): POSTs the request body as is to
 * {META_GRAPH_URL}/v26.0/bare/events and answers with the upstream status. No auth, no parsing.
 *
 * @example
 * wrangler dev -c bench/bare/wrangler.toml --var META_GRAPH_URL:http://127.0.0.1:8788
 */
export default {
  async fetch(request, env) {
    const upstream = await fetch(`${env.META_GRAPH_URL}/v26.0/bare/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: await request.arrayBuffer(),
    });
    await upstream.arrayBuffer();
    return Response.json({ status: "sent" }, { status: upstream.status });
  },
};
