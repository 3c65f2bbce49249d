/**
 * The Worker's bindings: wrangler vars, secrets, queues and Durable Objects.
 * Names of vars and secrets are the contract's (../shared/contract/README.md).
 */
export interface Env {
  META_PIXEL_ID?: string;
  META_ACCESS_TOKEN?: string;
  WEBHOOK_SECRET?: string;
  META_API_VERSION?: string;
  META_GRAPH_URL?: string;
  META_TEST_EVENT_CODE?: string;
  META_EVENT_NAME?: string;
  /** Further relay settings; see README "Configuration". */
  [name: string]: unknown;
}
