import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** Installs the transform's data tables from public/data/ in the Node projects (the Worker reads them through ASSETS). */
const DATA_TABLES_FROM_DISK = "./test/dataTablesFromDisk.ts";

export default defineConfig({
  test: {
    reporters: ["default", "./test/summaryReporter.ts"],
    projects: [
      {
        // The transform's data tables (public/data/) from disk: the Worker reads them through ASSETS.
        test: { name: "unit", include: ["src/**/*.test.ts"], environment: "node", setupFiles: [DATA_TABLES_FROM_DISK] },
      },
      {
        // The local stand-in for Meta's Graph API (dev/fake-meta) and its launcher, in Node.
        test: { name: "dev", include: ["dev/**/*.test.ts"], environment: "node", setupFiles: [DATA_TABLES_FROM_DISK] },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.jsonc" },
            miniflare: { bindings: { WEBHOOK_SECRET: "test-secret" } },
          }),
        ],
        test: {
          name: "workers",
          include: ["test/**/*.test.ts"],
          exclude: ["test/fault/**", "test/browser/**"],
          // The transform's data tables, read through the ASSETS binding as the Worker reads them.
          setupFiles: ["./test/dataTablesFromAssets.ts"],
        },
      },
      {
        // Fault injection (test/fault): the real consumer, producer and Durable Object classes in
        // node against a loopback fake Graph, with a simulated queue; see fault.test.ts.
        resolve: {
          alias: {
            "cloudflare:workers": fileURLToPath(new URL("./test/fault/cloudflare-workers.ts", import.meta.url)),
          },
        },
        test: {
          name: "fault",
          include: ["test/fault/**/*.test.ts"],
          environment: "node",
          testTimeout: 180_000,
          setupFiles: [DATA_TABLES_FROM_DISK],
        },
      },
      {
        // Real-browser tests (test/browser): headless Chromium from Debian (or CHROME_PATH) driven by
        // playwright-core; skipped without a browser, failed under CI=true. See test/browser/chromium.ts.
        // The console's test serves the whole Worker app with the real Durable Object classes on
        // node:sqlite (test/fault/durableObjects.ts), hence the same alias as the fault project.
        resolve: {
          alias: {
            "cloudflare:workers": fileURLToPath(new URL("./test/fault/cloudflare-workers.ts", import.meta.url)),
          },
        },
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          environment: "node",
          testTimeout: 30_000,
          hookTimeout: 60_000,
          setupFiles: [DATA_TABLES_FROM_DISK],
        },
      },
    ],
  },
});
