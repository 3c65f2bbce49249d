/**
 * The two data tables the transform reads but the Worker's code does not carry (about 68 KiB
 * gzipped together): libphonenumber-js's metadata for ./phone (public/data/phone-metadata.json)
 * and the country table for ./countries (public/data/country-names.json). Both are generated
 * (scripts/generate-phone-metadata.mjs, scripts/generate-countries.mjs) and served as Workers
 * Static Assets.
 *
 * This layer stays pure and synchronous: it never fetches. Whoever reads the files (the HTTP
 * layer's loader, src/http/dataAssets.ts, through the assets binding; the Node tests from disk)
 * hands their text to {@link readDataTables} and the result to {@link installDataTables}, once per
 * isolate, before the first webhook is transformed. A phone or a country read before that throws.
 *
 * @example
 * ```ts
 * installDataTables(readDataTables({ phoneMetadata: phoneText, countryNames: namesText }));
 * ```
 */
import type { MetadataJson } from "libphonenumber-js/core";
import { isRecord } from "../core/records";
import { type CountryNames, installCountryNames } from "./countries";
import { installPhoneMetadata } from "./phone";

/** The files' paths under the assets' root (public/). */
export const DATA_TABLE_PATHS = {
  phoneMetadata: "/data/phone-metadata.json",
  countryNames: "/data/country-names.json",
} as const;

export type DataTableName = keyof typeof DATA_TABLE_PATHS;

/** Both tables, parsed. */
export interface DataTables {
  phoneMetadata: MetadataJson;
  countryNames: CountryNames;
}

/** Whether {@link installDataTables} has run in this isolate. */
let installed = false;

/**
 * Both tables from their files' text, checked as far as a wrong or truncated file would show:
 * phone metadata of the version ./phone's generator writes (4) with its calling codes and
 * countries, a country table of lines. Throws on anything else.
 */
export function readDataTables(texts: Record<DataTableName, string>): DataTables {
  const phone: unknown = JSON.parse(texts.phoneMetadata);
  const names: unknown = JSON.parse(texts.countryNames);
  const metadata = isRecord(phone) ? phone.metadata : undefined;
  if (
    !isRecord(metadata) ||
    metadata.version !== 4 ||
    !isRecord(metadata.country_calling_codes) ||
    !isRecord(metadata.countries)
  )
    throw new Error(`${DATA_TABLE_PATHS.phoneMetadata}: not phone metadata of version 4`);
  if (
    !isRecord(names) ||
    !Array.isArray(names.table) ||
    !names.table.every((line) => typeof line === "string" && /^[a-z]{2} [a-z]{3}( |$)/.test(line))
  )
    throw new Error(`${DATA_TABLE_PATHS.countryNames}: not a country table`);
  return {
    phoneMetadata: metadata as unknown as MetadataJson,
    countryNames: { table: names.table as string[] },
  };
}

/** Hands both tables to the modules that read them; from then on phones and countries can be read in this isolate. */
export function installDataTables(tables: DataTables): void {
  installPhoneMetadata(tables.phoneMetadata);
  installCountryNames(tables.countryNames);
  installed = true;
}

/** Whether this isolate has the tables (a loader reads them only when it has not). */
export function dataTablesInstalled(): boolean {
  return installed;
}
