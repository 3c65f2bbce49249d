/**
 * src/transform/countries.ts's table against workerd's region names. The Worker reads no
 * `Intl.DisplayNames` any more (every name is in public/data/country-names.json), but it used to,
 * and the names workerd's ICU gives are what it found then: scripts/generate-countries.mjs checks
 * its table against them, read from scripts/countries-workerd-names.json. So this workerd must
 * give exactly the snapshot's names; when a workerd update changes them, run
 * `node scripts/generate-countries.mjs --workerd-names` and `npm run generate:countries`.
 */
import { describe, expect, it } from "vitest";
import countryNames from "../public/data/country-names.json";
import snapshot from "../scripts/countries-workerd-names.json";
import { countryKey, encodeKey, findCountry } from "../src/transform/countries";

const locales = Object.keys(snapshot.locales) as (keyof typeof snapshot.locales)[];

describe("countries inside workerd", () => {
  it.each(locales)("gives the snapshot's region names in %s", (locale) => {
    const names = snapshot.locales[locale];
    const long = new Intl.DisplayNames([locale], { type: "region", style: "long", fallback: "none" });
    const short = new Intl.DisplayNames([locale], { type: "region", style: "short", fallback: "none" });
    expect(snapshot.codes.map((code) => long.of(code) ?? null)).toEqual(names.long);
    const shortNames: Record<string, string | null> = names.short;
    snapshot.codes.forEach((code, i) => {
      expect(short.of(code) ?? null, `${locale} short ${code}`).toBe(
        code in shortNames ? shortNames[code] : names.long[i],
      );
    });
  });

  it("reads names from the table", () => {
    expect(findCountry("Deutschland")).toBe("de");
    expect(findCountry("日本")).toBe("jp");
    expect(findCountry("Россия")).toBe("ru");
    expect(findCountry("Hong Kong SAR China")).toBe("hk");
    expect(findCountry("Korea, Republic of")).toBe("kr");
    expect(findCountry("Congo")).toBe("cg");
    expect(findCountry("England")).toBe("gb");
    expect(findCountry("Atlantis")).toBeUndefined();
  });

  it("has every key of workerd's region names as their one country or not at all, never another one", () => {
    const table = new Map<string, string>();
    for (const line of countryNames.table) for (const key of line.split(" ").slice(2)) table.set(key, line.slice(0, 2));
    const given = new Map<string, Set<string>>();
    for (const locale of locales)
      for (const style of ["long", "short"] as const) {
        const display = new Intl.DisplayNames([locale], { type: "region", style, fallback: "none" });
        for (const code of snapshot.codes) {
          const name = display.of(code);
          if (name === undefined) continue;
          const key = encodeKey(countryKey(name));
          if (!given.has(key)) given.set(key, new Set());
          given.get(key)!.add(code.toLowerCase());
        }
      }
    const wrong: string[] = [];
    let found = 0;
    for (const [key, codes] of given) {
      const code = table.get(key);
      if (code === undefined) continue;
      found++;
      if (codes.size > 1 || !codes.has(code)) wrong.push(`${key}: ${[...codes].join(" ")} -> ${code}`);
    }
    expect(wrong).toEqual([]);
    // All but the code-like keys, the ambiguous ones and workerd's older Falkland Islands forms.
    expect(found).toBeGreaterThan(given.size - 60);
  });
});
