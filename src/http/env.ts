import type { QueueBindings } from "../delivery/bindings";

/**
 * The Worker's bindings: wrangler vars, secrets, queues and Durable Objects.
 * Names of vars and secrets are the contract's (../shared/contract/README.md).
 */
export interface Env extends QueueBindings {
  META_PIXEL_ID?: string;
  META_ACCESS_TOKEN?: string;
  WEBHOOK_SECRET?: string;
  META_API_VERSION?: string;
  META_GRAPH_URL?: string;
  META_TEST_EVENT_CODE?: string;
  META_EVENT_NAME?: string;
  /** App secret, when the Meta app requires `appsecret_proof`. */
  META_APP_SECRET?: string;
  /** Secret for the /admin routes (dead letters, replay); without it they answer 503. */
  ADMIN_SECRET?: string;
  /** Further relay settings; see README "Configuration". */
  [name: string]: unknown;
}
