/**
 * `db`: a date of birth as Meta matches it (`YYYYMMDD`), from the shapes shoppers type, reading
 * an ambiguous numeric date (`05/02/1997`) in the order the shopper's country writes dates.
 *
 * Pure functions: no I/O; the clock comes in as `now`.
 */
import { cleanText, countryCode, dropped, foldDigits, kept, type Normalized } from "./normalize";

/**
 * The countries that write numeric dates month first, from CLDR's short date patterns (checked
 * against the runtime's `Intl` in the tests): the United States and its territories (American
 * Samoa, Guam, Northern Mariana Islands, Puerto Rico, US Minor Outlying Islands, US Virgin
 * Islands), the Marshall Islands, Panama and the Philippines. Micronesia and Palau, often
 * listed with them, write day first in CLDR (`en-FM`, `en-PW`: 23/02/2001). Every other known
 * country is read day first.
 */
export const MONTH_FIRST_COUNTRIES: ReadonlySet<string> = new Set([
  "us",
  "as",
  "gu",
  "mp",
  "pr",
  "um",
  "vi",
  "mh",
  "pa",
  "ph",
]);

const MIN_BIRTH_YEAR = 1900;
const MAX_BIRTH_YEAR_WITHOUT_NOW = 2100;

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

/** `YYYYMMDD` when y-m-d is a real calendar date in the accepted years, else why not. */
function calendarDate(year: number, month: number, day: number, now?: number): Normalized {
  if (month < 1 || month > 12 || day < 1) return dropped("not a calendar date");
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return dropped("not a calendar date");
  if (year < MIN_BIRTH_YEAR) return dropped("year before 1900");
  const date = `${pad(year, 4)}${pad(month, 2)}${pad(day, 2)}`;
  if (now === undefined) return year <= MAX_BIRTH_YEAR_WITHOUT_NOW ? kept(date) : dropped("future date");
  const today = new Date(now);
  const todayText = `${pad(today.getUTCFullYear(), 4)}${pad(today.getUTCMonth() + 1, 2)}${pad(today.getUTCDate(), 2)}`;
  return date <= todayText ? kept(date) : dropped("future date");
}

const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\S*)?$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;

/**
 * Month names and abbreviations, accents removed (`février` is `fevrier`), in English, French,
 * German, Spanish, Portuguese, Italian and Dutch: the languages of most of Meta's markets that
 * write dates with Latin letters. No word names two different months in two languages.
 */
const MONTH_WORDS: readonly string[] = [
  "january jan janvier janv januar jaenner janner enero ene janeiro gennaio gen januari",
  "february feb febr fevrier fevr fev februar febrero fevereiro febbraio februari",
  "march mar mars maerz marz mrz marzo marco maart mrt",
  "april apr avril avr abril abr aprile",
  "may mai mayo maio maggio mag mei",
  "june jun juin juni junio junho giugno giu",
  "july jul juillet juil juli julio julho luglio lug",
  "august aug aout agosto ago augustus",
  "september sep sept septembre septiembre setiembre set setembro settembre",
  "october oct octobre oktober okt octubre outubro out ottobre ott",
  "november nov novembre noviembre novembro",
  "december dec decembre dezember dez diciembre dic dezembro dicembre",
];

/** Month word -> 1-12, built from MONTH_WORDS on first use. */
let monthsByWord: Map<string, number> | undefined;

/** 1-12 for a month name or abbreviation in a language of MONTH_WORDS (any case and accents), else undefined. */
function monthNumber(word: string): number | undefined {
  if (monthsByWord === undefined) {
    monthsByWord = new Map();
    for (const [index, words] of MONTH_WORDS.entries()) {
      for (const word of words.split(" ")) monthsByWord.set(word, index + 1);
    }
  }
  return monthsByWord.get(word.normalize("NFD").replace(/\p{M}/gu, ""));
}

/** Words that may stand between the parts of a written date: "16 de febrero de 1997", "the 16th of February". */
const FILLER_WORDS: ReadonlySet<string> = new Set(["de", "del", "of", "the", "le", "den", "der", "el"]);
/** Ordinal endings after a day: 1st, 2nd, 3rd, 16th, 1er, and 1º / 1ª (which NFKC reads as 1o / 1a). */
const ORDINAL = /^(\d{1,2})(?:st|nd|rd|th|er|o|a)$/;
/** The CJK date marks 年 月 日 and their Korean counterparts, read as separators. */
const CJK_DATE_MARKS = /[年月日년월일]/g;

/** A date split into its parts: digit groups and words, with the separator after the first part. */
interface DateParts {
  parts: string[];
  /** The first non-space character between the first two parts, or a space when there is none. */
  separator: string;
}

function dateParts(text: string): DateParts {
  const lower = text.toLowerCase().replace(CJK_DATE_MARKS, " ");
  const separatorMatch = /^[\p{L}\d]+([^\p{L}\d]+)/u.exec(lower);
  const separator = separatorMatch?.[1]!.trim().charAt(0) || " ";
  const parts = lower
    .split(/[^\p{L}\d]+/u)
    .filter((part) => part !== "" && !FILLER_WORDS.has(part))
    .map((part) => ORDINAL.exec(part)?.[1] ?? part);
  return { parts, separator };
}

/**
 * Whether a numeric date whose two first parts could both be a month is read month first: in
 * the countries that write dates so (`MONTH_FIRST_COUNTRIES`), and, with no known country,
 * for slashes, dashes and spaces (Meta's own example `02/16/1997`); dots are the day-first
 * convention.
 */
function readsMonthFirst(country: string | undefined, separator: string): boolean {
  if (country !== undefined) return MONTH_FIRST_COUNTRIES.has(country);
  return separator !== ".";
}

const isDigits = (part: string, min: number, max: number) =>
  part.length >= min && part.length <= max && /^\d+$/.test(part);

/** `YYYYMMDD` (or why not) of a date written with digits only, in three parts. */
function numericDate({ parts, separator }: DateParts, country: string | undefined, now?: number): Normalized {
  const [first, second, third] = parts;
  if (isDigits(first!, 4, 4) && isDigits(second!, 1, 2) && isDigits(third!, 1, 2)) {
    return calendarDate(Number(first), Number(second), Number(third), now);
  }
  if (!isDigits(first!, 1, 2) || !isDigits(second!, 1, 2)) return dropped("not a date");
  if (isDigits(third!, 2, 2)) return dropped("two-digit year");
  if (!isDigits(third!, 4, 4)) return dropped("not a date");
  const [a, b, year] = [Number(first), Number(second), Number(third)];
  const monthFirst = a > 12 ? false : b > 12 ? true : readsMonthFirst(countryCode(country), separator);
  return monthFirst ? calendarDate(year, a, b, now) : calendarDate(year, b, a, now);
}

/** `YYYYMMDD` (or why not) of a date with its month as a word: month-day-year, day-month-year or year-month-day. */
function namedMonthDate(parts: string[], now?: number): Normalized {
  const monthAt = parts.findIndex((part) => !/^\d+$/.test(part));
  const month = monthNumber(parts[monthAt]!);
  if (month === undefined || monthAt === 2) return dropped("not a date");
  const [a, b] = parts.filter((_, index) => index !== monthAt) as [string, string];
  const [day, year] = monthAt === 1 && isDigits(a, 4, 4) ? [b, a] : [a, b];
  if (!isDigits(day, 1, 2)) return dropped("not a date");
  if (isDigits(year, 2, 2)) return dropped("two-digit year");
  if (!isDigits(year, 4, 4)) return dropped("not a date");
  return calendarDate(Number(year), month, Number(day), now);
}

/**
 * `db`: `YYYYMMDD` from the shapes shoppers type. Meta accepts any punctuation between the parts;
 * so does the relay: slashes, dashes, dots, spaces, commas, or a mix (`16. 02. 1997`,
 * `16 02 1997`), and digits of other scripts (full-width, Arabic-Indic, …; see `foldDigits`):
 * - ISO `1990-02-14`, also with a time (`1990-02-14T00:00:00Z`; the date part is taken as is);
 * - year first: `1997/02/16`, `1997.2.16`, `1997 02 16`, `1997年2月16日`, and `YYYYMMDD`;
 * - numeric day, month and year (one or two digits for day and month). A part over 12 can only
 *   be the day, and decides. Otherwise the order is the country's: month first in the countries
 *   that write dates so (`MONTH_FIRST_COUNTRIES`: US and its territories, MH, PA, PH), day first
 *   in every other known country; with no known country, month first for `/`, `-` and spaces
 *   (Meta's example `02/16/1997`) and day first for `.` (the European dotted date);
 * - the month as a name or abbreviation in English, French, German, Spanish, Portuguese, Italian
 *   or Dutch, any case, accents optional, day before or after it, year last (or first before
 *   the month): `February 16, 1997`, `Feb 16 1997`, `16 Feb 1997`, `16-Feb-1997`,
 *   `16th of February 1997`, `16 de febrero de 1997`, `16. Februar 1997`, `1er février 1997`,
 *   `1997-Feb-16`.
 * `country` is an alpha-2 code, alpha-3 or name; the caller passes the shopper's country, else
 * DEFAULT_COUNTRY, else the region of the shopper's phone number. The date must exist in the
 * calendar (no 02/30, 29 Feb only in leap years) with a year from 1900. With `now` (Unix ms,
 * the caller's clock) it must not be after that day (UTC); without it the year must be at most
 * 2100. Two-digit years are ambiguous and dropped.
 *
 * @example
 * ```ts
 * normalizeDateOfBirth("02/16/1997");        // { ok: true, value: "19970216" }
 * normalizeDateOfBirth("05/02/1997", "US");  // { ok: true, value: "19970502" }
 * normalizeDateOfBirth("05/02/1997", "GB");  // { ok: true, value: "19970205" }
 * normalizeDateOfBirth("16.02.1997");        // { ok: true, value: "19970216" }
 * normalizeDateOfBirth("16-Feb-1997");       // { ok: true, value: "19970216" }
 * normalizeDateOfBirth("16 02 1997");        // { ok: true, value: "19970216" }
 * normalizeDateOfBirth("02/30/1997");        // { ok: false, reason: "not a calendar date" }
 * normalizeDateOfBirth("2030-01-01", undefined, Date.UTC(2026, 10, 25)); // { ok: false, reason: "future date" }
 * ```
 */
export function normalizeDateOfBirth(raw: string, country?: string, now?: number): Normalized {
  const text = foldDigits(cleanText(raw));
  const iso = ISO_DATE.exec(text) ?? COMPACT.exec(text);
  if (iso !== null) return calendarDate(Number(iso[1]), Number(iso[2]), Number(iso[3]), now);
  const date = dateParts(text);
  const { parts } = date;
  if (parts.length !== 3) return dropped("not a date");
  const words = parts.filter((part) => !/^\d+$/.test(part)).length;
  if (words === 0) return numericDate(date, country, now);
  if (words === 1) return namedMonthDate(parts, now);
  return dropped("not a date");
}
