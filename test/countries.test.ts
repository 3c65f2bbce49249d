/**
 * src/transform/countries.ts inside workerd: the Worker builds most country names at first use
 * from `Intl.DisplayNames`, and scripts/generate-countries.mjs kept in its table only the names
 * workerd's ICU does not give, reading workerd's names from scripts/countries-workerd-names.json.
 * So this workerd must give exactly the snapshot's names; when a workerd update changes them,
 * run `node scripts/generate-countries.mjs --workerd-names` and `npm run generate:countries`.
 */
import { describe, expect, it } from "vitest";
import snapshot from "../scripts/countries-workerd-names.json";
import { findCountry } from "../src/transform/countries";

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

  it("reads names from the region names and from the table", () => {
    expect(findCountry("Deutschland")).toBe("de");
    expect(findCountry("日本")).toBe("jp");
    expect(findCountry("Россия")).toBe("ru");
    expect(findCountry("Hong Kong SAR China")).toBe("hk");
    expect(findCountry("Korea, Republic of")).toBe("kr");
    expect(findCountry("Congo")).toBe("cg");
    expect(findCountry("England")).toBe("gb");
    expect(findCountry("Atlantis")).toBeUndefined();
  });

  it("reads every snapshot name as its country or as no country, never another one (but a code)", () => {
    const wrong: string[] = [];
    for (const locale of locales) {
      snapshot.codes.forEach((code, i) => {
        const name = snapshot.locales[locale].long[i] ?? null;
        // Two or three letters are read as a code first ("Nga", Vietnamese for Russia, is NGA: Nigeria).
        if (name === null || /^[a-z]{2,3}$/i.test(name)) return;
        const found = findCountry(name);
        if (found !== undefined && found !== code.toLowerCase()) wrong.push(`${locale} ${code} ${name}: ${found}`);
      });
    }
    expect(wrong).toEqual([]);
  });
});
