/**
 * The transform's data tables inside workerd: read through the `ASSETS` binding (wrangler.jsonc's
 * assets, public/data/) by the Worker's own loader, each file once, as they are on disk.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import countryNames from "../public/data/country-names.json";
import phoneMetadata from "../public/data/phone-metadata.json";
import { dataTablesLoader } from "../src/http/dataAssets";
import type { DataTables } from "../src/transform/dataTables";

describe("the data tables in workerd", () => {
  it("are read through the ASSETS binding, each file once", async () => {
    const paths: string[] = [];
    const assets = {
      fetch: (input: RequestInfo | URL, init?: RequestInit) => {
        paths.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
        return env.ASSETS.fetch(input, init);
      },
    };
    const installed: DataTables[] = [];
    const load = dataTablesLoader((tables) => void installed.push(tables));
    await Promise.all([load(assets), load(assets)]);
    expect(paths.sort()).toEqual(["/data/country-names.json", "/data/phone-metadata.json"]);
    expect(installed).toHaveLength(1);
    // What the binding serves is what public/data/ holds.
    expect(installed[0]!.phoneMetadata).toEqual(phoneMetadata.metadata);
    expect(installed[0]!.countryNames).toEqual({ table: countryNames.table });
  });
});
