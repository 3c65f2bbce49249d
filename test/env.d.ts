// Types of `env` and `exports` from "cloudflare:workers" in the workerd tests.
import type { Env as RelayEnv } from "../src/http/env";
import type * as Main from "../src/index";

declare global {
  namespace Cloudflare {
    interface Env extends RelayEnv {}
    interface GlobalProps {
      mainModule: typeof Main;
      durableNamespaces: "IntakeLedger" | "DeadLetterStore";
    }
  }
}
