/**
 * Stand-in for the "cloudflare:workers" module when the real Durable Object classes run in node
 * (fault project only, through a vitest alias). Only what the classes use: `this.ctx`, `this.env`.
 */
export class DurableObject<Env = unknown> {
  protected ctx: DurableObjectState;
  protected env: Env;
  constructor(ctx: DurableObjectState, env: Env) {
    this.ctx = ctx;
    this.env = env;
  }
}
