// The transform's data tables for the bench's bundles of src/ (bench/lib/build.mjs puts this first
// in every current entry): read from public/data/ as the Worker reads them through ASSETS, and
// installed once, before anything is transformed (src/transform/dataTables.ts).
import phoneMetadata from "../../public/data/phone-metadata.json";
import countryNames from "../../public/data/country-names.json";
import { installDataTables, readDataTables } from "../../src/transform/dataTables";

installDataTables(
  readDataTables({ phoneMetadata: JSON.stringify(phoneMetadata), countryNames: JSON.stringify(countryNames) }),
);
