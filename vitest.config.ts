import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: { name: "unit", include: ["src/**/*.test.ts"], environment: "node" },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: { WEBHOOK_SECRET: "test-secret" } },
          }),
        ],
        test: { name: "workers", include: ["test/**/*.test.ts"] },
      },
    ],
  },
});
