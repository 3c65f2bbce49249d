import { describe, expect, it } from "vitest";
import { MONTH_FIRST_COUNTRIES, normalizeDateOfBirth } from "./dateOfBirth";
import { dropped, kept } from "./normalize";

const db = (raw: string, country?: string, now?: number) => {
  const result = normalizeDateOfBirth(raw, country, now);
  return result.ok ? result.value : undefined;
};

describe("normalizeDateOfBirth: shapes", () => {
  it("reads US MM/DD/YYYY (Meta's example)", () => {
    expect(normalizeDateOfBirth("02/16/1997")).toEqual(kept("19970216"));
  });
  it("reads ISO dates, with or without a time", () => {
    expect(db("1990-02-14")).toBe("19900214");
    expect(db("1990-02-14T00:00:00Z")).toBe("19900214");
    expect(db("1990-02-14T23:30:00-05:00")).toBe("19900214");
    expect(db("1990-02-14 08:00")).toBe("19900214");
  });
  it("reads M/D/YYYY with one-digit parts and dashes", () => {
    expect(db("2/5/1997")).toBe("19970205");
    expect(db("02-16-1997")).toBe("19970216");
  });
  it("reads YYYY/MM/DD, YYYY.MM.DD and YYYYMMDD in every country", () => {
    for (const country of [undefined, "US", "DE", "JP"]) {
      expect(db("1997/02/16", country)).toBe("19970216");
      expect(db("1997.2.16", country)).toBe("19970216");
      expect(db("19970216", country)).toBe("19970216");
    }
  });
  it("trims, and removes invisible characters", () => {
    expect(db(" 1990-02-14 ")).toBe("19900214");
    expect(db("\u200B14.02.1990\uFEFF")).toBe("19900214");
    expect(db("14\u200B/02/1990", "GB")).toBe("19900214");
  });
  it("reads English month names and abbreviations, month or day first", () => {
    expect(db("February 16, 1997")).toBe("19970216");
    expect(db("Feb 16 1997")).toBe("19970216");
    expect(db("feb. 16, 1997")).toBe("19970216");
    expect(db("Sept 3, 1997")).toBe("19970903");
    expect(db("16 February 1997")).toBe("19970216");
    expect(db("16th  Feb 1997")).toBe("19970216");
    expect(db("1 May 1997", "US")).toBe("19970501");
  });
  it("accepts 29 February in leap years only", () => {
    expect(db("2000-02-29")).toBe("20000229");
    expect(normalizeDateOfBirth("1900-02-29")).toEqual(dropped("not a calendar date"));
    expect(normalizeDateOfBirth("02/29/2001")).toEqual(dropped("not a calendar date"));
  });
});

describe("normalizeDateOfBirth: any punctuation, month words, other scripts", () => {
  it.each([
    ["16 Feb 1997", undefined, "19970216"],
    ["16-Feb-1997", undefined, "19970216"],
    ["16/feb/1997", undefined, "19970216"],
    ["February 16, 1997", undefined, "19970216"],
    ["Feb 16 1997", undefined, "19970216"],
    ["Sept. 3rd, 1988", undefined, "19880903"],
    ["the 3rd of September 1988", undefined, "19880903"],
    ["1988 September 3", undefined, "19880903"],
    ["16 02 1997", undefined, "19970216"],
    ["02 16 1997", undefined, "19970216"],
    ["05 02 1997", undefined, "19970502"],
    ["05 02 1997", "DE", "19970205"],
    ["16. 02. 1997", undefined, "19970216"],
    ["05. 02. 1997", undefined, "19970205"],
    ["16 / 02 / 1997", "GB", "19970216"],
    ["1997 02 16", undefined, "19970216"],
    ["16 février 1997", "FR", "19970216"],
    ["1er févr. 1997", "FR", "19970201"],
    ["3 août 1988", "FR", "19880803"],
    ["16. März 1997", "DE", "19970316"],
    ["16 de febrero de 1997", "ES", "19970216"],
    ["3 de setembro de 1988", "BR", "19880903"],
    ["16 febbraio 1997", "IT", "19970216"],
    ["16 mei 1997", "NL", "19970516"],
    ["١٦/٠٢/١٩٩٧", "EG", "19970216"],
    ["١٦ فبراير ١٩٩٧", "EG", undefined],
    ["１９９７年２月１６日", "JP", "19970216"],
    ["1997년 2월 16일", "KR", "19970216"],
  ])("reads %j (%s)", (raw, country, date) => {
    const result = normalizeDateOfBirth(raw, country);
    expect(result).toEqual(date === undefined ? dropped("not a date") : kept(date));
  });
});

describe("normalizeDateOfBirth: day or month first", () => {
  it("reads an ambiguous date month first in the US and its territories", () => {
    for (const country of ["US", "PR", "GU", "VI", "AS", "MP", "UM"])
      expect(db("05/02/1997", country)).toBe("19970502");
  });
  it("reads it month first in the Philippines, Panama and the Marshall Islands", () => {
    for (const country of ["PH", "PA", "MH"]) expect(db("05/02/1997", country)).toBe("19970502");
  });
  it("reads it day first in every other known country", () => {
    for (const country of ["GB", "DE", "FR", "BR", "MX", "IN", "AU", "CA", "JP", "FM", "PW"]) {
      expect(db("05/02/1997", country)).toBe("19970205");
    }
  });
  it("reads the country as normalizeCountry does (name, alpha-3)", () => {
    expect(db("05/02/1997", "United Kingdom")).toBe("19970205");
    expect(db("05/02/1997", "USA")).toBe("19970502");
  });
  it("without a known country: month first for / and -, day first for dots", () => {
    expect(db("05/02/1997")).toBe("19970502");
    expect(db("05-02-1997")).toBe("19970502");
    expect(db("05.02.1997")).toBe("19970205");
    expect(db("05/02/1997", "Atlantis")).toBe("19970502");
  });
  it("follows the country for dotted dates too", () => {
    expect(db("05.02.1997", "DE")).toBe("19970205");
    expect(db("05.02.1997", "US")).toBe("19970502");
  });
  it("lets a part over 12 decide, whatever the country", () => {
    expect(db("16/02/1997", "US")).toBe("19970216");
    expect(db("02/16/1997", "GB")).toBe("19970216");
    expect(db("02.16.1997")).toBe("19970216");
    expect(db("16-02-1997")).toBe("19970216");
  });
  it("drops a date no order makes real", () => {
    expect(normalizeDateOfBirth("13/13/1997", "GB")).toEqual(dropped("not a calendar date"));
    expect(normalizeDateOfBirth("31/04/1997", "GB")).toEqual(dropped("not a calendar date"));
    expect(normalizeDateOfBirth("04/31/1997", "US")).toEqual(dropped("not a calendar date"));
  });
});

describe("MONTH_FIRST_COUNTRIES against CLDR (the runtime's Intl)", () => {
  /** Whether a locale's short date puts the month before the day. */
  const monthFirst = (locale: string) => {
    const parts = new Intl.DateTimeFormat(locale, { dateStyle: "short", timeZone: "UTC" }).formatToParts(
      Date.UTC(2001, 1, 23),
    );
    const order = parts.map((part) => part.type);
    return order.indexOf("month") < order.indexOf("day");
  };
  const locales: Record<string, string> = {
    us: "en-US",
    as: "en-AS",
    gu: "en-GU",
    mp: "en-MP",
    pr: "es-PR",
    um: "en-UM",
    vi: "en-VI",
    mh: "en-MH",
    pa: "es-PA",
    ph: "fil-PH",
  };
  it("lists exactly the countries named here", () => {
    expect([...MONTH_FIRST_COUNTRIES].sort()).toEqual(Object.keys(locales).sort());
  });
  it.each(Object.entries(locales))("%s writes month first (%s)", (_country, locale) => {
    expect(new Intl.DateTimeFormat(locale).resolvedOptions().locale).toBe(locale);
    expect(monthFirst(locale)).toBe(true);
  });
  it.each(["en-GB", "en-FM", "en-PW", "en-AU", "es-MX", "pt-BR", "de-DE", "fr-FR", "en-IN", "es-US"])(
    "%s writes day first",
    (locale) => {
      expect(monthFirst(locale)).toBe(false);
    },
  );
});

describe("normalizeDateOfBirth: reasons", () => {
  it.each([
    ["day 30 of February", "02/30/1997", "not a calendar date"],
    ["day 31 of April", "1997-04-31", "not a calendar date"],
    ["day 0", "1997-02-00", "not a calendar date"],
    ["month 0", "1997-00-10", "not a calendar date"],
    ["February 30 in words", "February 30, 1997", "not a calendar date"],
    ["a year before 1900", "1899-12-31", "year before 1900"],
    ["a year after 2100 without now", "2101-01-01", "future date"],
    ["a two-digit year", "02/16/97", "two-digit year"],
    ["a dotted two-digit year", "16.02.97", "two-digit year"],
    ["words without a date", "my birthday", "not a date"],
    ["an unknown month word", "Febtober 16, 1997", "not a date"],
    ["a month in a language not read (Polish)", "16 lutego 1997", "not a date"],
    ["two month words", "Feb March 1997", "not a date"],
    ["a month word last", "16 1997 Feb", "not a date"],
    ["empty", "", "not a date"],
    ["garbage after the date", "1990-02-14x", "not a date"],
  ])("drops %s", (_why, raw, reason) => {
    expect(normalizeDateOfBirth(raw)).toEqual(dropped(reason));
  });
  it("with now, drops a date after that day (UTC) and accepts that day", () => {
    const now = Date.UTC(2026, 10, 25, 18, 0);
    expect(normalizeDateOfBirth("2026-11-26", undefined, now)).toEqual(dropped("future date"));
    expect(db("2026-11-25", undefined, now)).toBe("20261125");
    expect(db("1990-02-14", undefined, now)).toBe("19900214");
    expect(db("12/01/2026", "GB", now)).toBe("20260112");
    expect(normalizeDateOfBirth("12/01/2026", "US", now)).toEqual(dropped("future date"));
  });
});
