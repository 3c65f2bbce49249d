/**
 * `db`: a date of birth as Meta matches it (`YYYYMMDD`), from the shapes shoppers type, reading
 * an ambiguous numeric date (`05/02/1997`) in the order the shopper's country writes dates.
 *
 * Pure functions: no I/O; the clock comes in as `now`.
 */
import { cleanText, countryCode, dropped, kept, type Normalized } from "./normalize";

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
const YEAR_FIRST = /^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const NUMERIC = /^(\d{1,2})([/.-])(\d{1,2})[/.-](\d{4})$/;
const TWO_DIGIT_YEAR = /^\d{1,2}[/.-]\d{1,2}[/.-]\d{2}$/;
const MONTH_FIRST = /^([a-z]{3,9})\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})$/;
const DAY_FIRST = /^(\d{1,2})(?:st|nd|rd|th)?\.? ([a-z]{3,9})\.?,? (\d{4})$/;
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const MONTH_NAMES = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];

/** 1-12 for an English month name or its 3-letter abbreviation ("sept" too), else 0. */
function monthNumber(word: string): number {
  const full = MONTH_NAMES.indexOf(word);
  if (full >= 0) return full + 1;
  const short = MONTHS.indexOf(word === "sept" ? "sep" : word);
  return short + 1;
}

/** Day, month and year of a date written with an English month name, either order. */
function namedMonthDate(words: string): { year: number; month: number; day: number } | undefined {
  const monthFirst = MONTH_FIRST.exec(words);
  const dayFirst = monthFirst === null ? DAY_FIRST.exec(words) : null;
  const [monthWord, day, year] =
    monthFirst?.slice(1) ?? (dayFirst === null ? [] : [dayFirst[2], dayFirst[1], dayFirst[3]]);
  const month = monthWord === undefined ? 0 : monthNumber(monthWord);
  return month === 0 ? undefined : { year: Number(year), month, day: Number(day) };
}

/**
 * Whether a numeric date whose two first parts could both be a month is read month first: in
 * the countries that write dates so (`MONTH_FIRST_COUNTRIES`), and, with no known country,
 * for slashes and dashes (Meta's own example `02/16/1997`); dots are the day-first convention.
 */
function readsMonthFirst(country: string | undefined, separator: string): boolean {
  if (country !== undefined) return MONTH_FIRST_COUNTRIES.has(country);
  return separator !== ".";
}

/**
 * `db`: `YYYYMMDD` from one of these shapes (one- or two-digit day and month):
 * - ISO `1990-02-14`, also with a time (`1990-02-14T00:00:00Z`; the date part is taken as is);
 * - `YYYY/MM/DD`, `YYYY.MM.DD` and `YYYYMMDD`;
 * - numeric day, month and year with `/`, `-` or `.` (`05/02/1997`, `05.02.1997`). A part over
 *   12 can only be the day, and decides. Otherwise the order is the country's: month first in
 *   the countries that write dates so (`MONTH_FIRST_COUNTRIES`: US and its territories, MH, PA,
 *   PH), day first in every other known country; with no known country, month first for `/`
 *   and `-` (Meta's example `02/16/1997`) and day first for `.` (the European dotted date);
 * - English month names or 3-letter abbreviations: `February 16, 1997`, `Feb 16 1997`,
 *   `16 February 1997`, `16th Feb 1997`.
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
 * normalizeDateOfBirth("02/30/1997");        // { ok: false, reason: "not a calendar date" }
 * normalizeDateOfBirth("2030-01-01", undefined, Date.UTC(2026, 10, 25)); // { ok: false, reason: "future date" }
 * ```
 */
export function normalizeDateOfBirth(raw: string, country?: string, now?: number): Normalized {
  const text = cleanText(raw);
  const yearFirst = ISO_DATE.exec(text) ?? YEAR_FIRST.exec(text) ?? COMPACT.exec(text);
  if (yearFirst !== null) {
    return calendarDate(Number(yearFirst[1]), Number(yearFirst[2]), Number(yearFirst[3]), now);
  }
  const numeric = NUMERIC.exec(text);
  if (numeric !== null) {
    const first = Number(numeric[1]);
    const second = Number(numeric[3]);
    const year = Number(numeric[4]);
    const monthFirst = first > 12 ? false : second > 12 ? true : readsMonthFirst(countryCode(country), numeric[2]!);
    return monthFirst ? calendarDate(year, first, second, now) : calendarDate(year, second, first, now);
  }
  if (TWO_DIGIT_YEAR.test(text)) return dropped("two-digit year");
  const words = text.toLowerCase().replace(/\s+/g, " ");
  const named = namedMonthDate(words);
  if (named !== undefined) return calendarDate(named.year, named.month, named.day, now);
  return dropped("not a date");
}
