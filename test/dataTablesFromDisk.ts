/**
 * The Node test projects' stand-in for the Worker's assets binding: installs the transform's data
 * tables (public/data/, ../src/transform/dataTables) from disk before any test runs, the same way
 * the Worker's loader does (`readDataTables`, then `installDataTables`). A setup file of the unit,
 * dev, fault and browser projects (vitest.config.ts); the workers tests read them through `ASSETS`.
 */
import { readFileSync } from "node:fs";
import { DATA_TABLE_PATHS, installDataTables, readDataTables } from "../src/transform/dataTables";

const read = (assetPath: string) => readFileSync(new URL(`../public${assetPath}`, import.meta.url), "utf8");

installDataTables(
  readDataTables({
    phoneMetadata: read(DATA_TABLE_PATHS.phoneMetadata),
    countryNames: read(DATA_TABLE_PATHS.countryNames),
  }),
);
