/**
 * Bare forwarding Worker (bench baseline): POSTs the request body as is to
 * {META_GRAPH_URL}/v27.0/bare/events and answers with the upstream status. No auth, no parsing.
 *
 * @example
 * // run by bench/e2e.mjs through a config generated from wrangler.toml (bench/out/bare/)
 */
export default {
  async fetch(request, env) {
    const upstream = await fetch(`${env.META_GRAPH_URL}/v27.0/bare/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: await request.arrayBuffer(),
    });
    await upstream.arrayBuffer();
    return Response.json({ status: "sent" }, { status: upstream.status });
  },
};
