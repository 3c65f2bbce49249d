/**
 * Test data for differential.test.ts: messy real-world inputs for every `user_data` key the
 * relay builds, from many countries, each with the result Meta's documented rules give (see
 * Meta's Customer Information Parameters page and docs/privacy-and-matching.md). Not imported by the Worker.
 *
 * `expected` is the normalized plaintext before hashing for a hashed key, the value sent for
 * `client_ip_address`, `fbc` and `fbp`, or `undefined` when nothing is sent. `asIs` marks a
 * value hashed upstream, sent as it is (`expected` is then the value sent).
 *
 * @example
 * ```ts
 * CORPUS.filter((c) => c.key === "ph").length; // 85
 * ```
 */

export type CorpusKey =
  | "em"
  | "ph"
  | "fn"
  | "ln"
  | "ge"
  | "db"
  | "ct"
  | "st"
  | "zp"
  | "country"
  | "external_id"
  | "client_ip_address"
  | "fbc"
  | "fbp";

export interface CorpusCase {
  key: CorpusKey;
  raw: string;
  /** The shopper's country (alpha-2): drives ph, st, zp and db on the relay's side; Meta's libraries take none. */
  country?: string;
  /** fbc: the page URL (its `fbclid`). */
  page?: string;
  /** fbc: the referrer URL (its `fbclid`). */
  referrer?: string;
  /** client_ip_address: Studio's separate IPv6 field. */
  ipv6?: string;
  expected: string | undefined;
  asIs?: true;
}

/** Meta's own reference hashes ("Customer Information Parameters"). */
export const EM_HASH = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f";
export const PH_HASH = "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176";
export const US_HASH = "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621";

/** The click time the relay stamps on an `fbc` it builds (the submission, Unix ms). */
export const CLICK_TIME_MS = 1795632127123;

type More = Omit<CorpusCase, "key" | "raw" | "expected">;
const c = (key: CorpusKey, raw: string, expected: string | undefined, more: More = {}): CorpusCase => ({
  key,
  raw,
  expected,
  ...more,
});
/** A value hashed upstream: sent as `sent`, never hashed again. */
const upstream = (key: CorpusKey, raw: string, sent: string): CorpusCase => ({ key, raw, expected: sent, asIs: true });
/** A landing page URL carrying `fbclid`. */
export const page = (fbclid: string) => `https://shop.example.com/pages/quiz?utm_source=fb&fbclid=${fbclid}`;
/** A referrer URL (Facebook's link shim) carrying an `fbclid`. */
export const REFERRER = "https://l.facebook.com/l.php?fbclid=FromReferrer";
const built = (fbclid: string) => `fb.1.${CLICK_TIME_MS}.${fbclid}`;

const EMAILS: CorpusCase[] = [
  c("em", " John_Smith@gmail.com ", "john_smith@gmail.com"),
  c("em", "  Jane.Doe@Example.COM ", "jane.doe@example.com"),
  c("em", "a.b+promo@mail.shop-example.co.uk", "a.b+promo@mail.shop-example.co.uk"),
  c("em", "\tJOHN_SMITH@GMAIL.COM  ", "john_smith@gmail.com"),
  c("em", "O'Brien@example.ie", "o'brien@example.ie"),
  c("em", "JOSÉ@Bücher.de", "josé@bücher.de"),
  c("em", "jose\u0301@example.com", "jos\u00e9@example.com"),
  c("em", "müller@example.de", "müller@example.de"),
  c("em", "用户@例子.中国", "用户@例子.中国"),
  c("em", "a@example.xn--p1ai", "a@example.xn--p1ai"),
  c("em", "\u200Bjane@example.com", "jane@example.com"),
  c("em", "jane@example.com\uFEFF", "jane@example.com"),
  c("em", "jane@example.com\u00A0", "jane@example.com"),
  c("em", "jane\u200D.doe@example.com", "jane.doe@example.com"),
  c("em", "jane@exam\u00ADple.com", "jane@example.com"),
  c("em", "jane@localhost", undefined),
  c("em", "jane.example.com", undefined),
  c("em", "ja..ne@example.com", undefined),
  c("em", "@example.com", undefined),
  c("em", "jane@doe@example.com", undefined),
  c("em", "jane doe@example.com", undefined),
  c("em", "jane@example.c", undefined),
  c("em", "jane@example.123", undefined),
  c("em", "jane.doe@example.com.", undefined),
  // RFC 5321 addresses that are rare but valid: a quoted local part, an address literal
  c("em", '"john doe"@example.com', '"john doe"@example.com'),
  c("em", ' "John.Doe"@Example.COM ', '"john.doe"@example.com'),
  c("em", '"a@b"@example.com', '"a@b"@example.com'),
  c("em", '"a\\"b"@example.com', '"a\\"b"@example.com'),
  c("em", "user@[192.0.2.1]", "user@[192.0.2.1]"),
  c("em", "user@[IPv6:2001:DB8::1]", "user@[ipv6:2001:db8::1]"),
  c("em", '"unterminated@example.com', undefined),
  c("em", '"john"."doe"@example.com', undefined),
  c("em", "user@[300.0.0.1]", undefined),
  upstream("em", EM_HASH, EM_HASH),
  upstream("em", EM_HASH.toUpperCase(), EM_HASH),
  upstream("em", ` ${EM_HASH}\t`, EM_HASH),
  upstream("em", `${EM_HASH}.AQQCAQMC`, `${EM_HASH}.AQQCAQMC`),
  upstream("em", `${EM_HASH}.BA`, `${EM_HASH}.BA`),
  upstream("em", ` ${EM_HASH}.AQQAAQMC\u200B`, `${EM_HASH}.AQQAAQMC`),
  c("em", `${EM_HASH}.Ab`, undefined),
  c("em", EM_HASH.slice(0, 32), undefined),
  c("em", `${EM_HASH.slice(0, 32)}.AQQCAQMC`, undefined),
];

const PHONES: CorpusCase[] = [
  // United States and Canada
  c("ph", "+1 (415) 555-0123", "14155550123"),
  c("ph", "+1 650 555 1212", "16505551212"),
  c("ph", "(650)555-1212", "16505551212", { country: "US" }),
  c("ph", "650.555.1212", "16505551212", { country: "US" }),
  c("ph", "1-650-555-1212", "16505551212", { country: "US" }),
  c("ph", "16505551212", "16505551212", { country: "US" }),
  c("ph", "555-0123", undefined, { country: "US" }),
  c("ph", "(123) 555-1212", undefined, { country: "US" }),
  c("ph", "011 44 20 7946 0958", "442079460958", { country: "US" }),
  c("ph", "+1 415 555 0123 ext. 45", "14155550123"),
  c("ph", "(650)555-1212", undefined),
  c("ph", "\u200B+1 650 555 1212", "16505551212"),
  c("ph", "+1\u00A0650\u00A0555\u00A01212", "16505551212"),
  c("ph", "+1 800 FLOWERS", undefined),
  c("ph", "(416) 555-0199", "14165550199", { country: "CA" }),
  // United Kingdom
  c("ph", "+44 20 7946 0958", "442079460958"),
  c("ph", "0044 20 7946 0958", "442079460958"),
  c("ph", "020 7946 0958", "442079460958", { country: "GB" }),
  c("ph", "07911 123456", "447911123456", { country: "GB" }),
  c("ph", "+44 (0) 7911 123456", "447911123456"),
  c("ph", "14155550123", "14155550123", { country: "GB" }),
  c("ph", "442079460958", "442079460958", { country: "GB" }),
  c("ph", "020 7946", undefined, { country: "GB" }),
  c("ph", "0\u200B20 7946 0958", "442079460958", { country: "GB" }),
  // Germany
  c("ph", "0151 23456789", "4915123456789", { country: "DE" }),
  c("ph", "+49 151 23456789", "4915123456789"),
  c("ph", "030 123456", "4930123456", { country: "DE" }),
  c("ph", "14155550123", "14155550123", { country: "DE" }),
  c("ph", "15123456789", "4915123456789", { country: "DE" }),
  c("ph", "+49 1234 5678", undefined),
  // France, Italy, Spain, the Netherlands, Sweden, Poland, Turkey
  c("ph", "06 12 34 56 78", "33612345678", { country: "FR" }),
  c("ph", "+33 (0)6 12 34 56 78", "33612345678"),
  c("ph", "+33 6 12 34 56 78", "33612345678"),
  c("ph", "0033 6 12 34 56 78", "33612345678"),
  c("ph", "12345", undefined, { country: "FR" }),
  c("ph", "+39 06 1234 5678", "390612345678"),
  c("ph", "06 1234 5678", "390612345678", { country: "IT" }),
  c("ph", "347 123 4567", "393471234567", { country: "IT" }),
  c("ph", "612 34 56 78", "34612345678", { country: "ES" }),
  c("ph", "+34 612 34 56 78", "34612345678"),
  c("ph", "06 12345678", "31612345678", { country: "NL" }),
  c("ph", "070-123 45 67", "46701234567", { country: "SE" }),
  c("ph", "512 345 678", "48512345678", { country: "PL" }),
  c("ph", "0532 123 45 67", "905321234567", { country: "TR" }),
  // Mexico, Brazil, Argentina
  c("ph", "044 55 1234 5678", "525512345678", { country: "MX" }),
  c("ph", "045 55 1234 5678", "525512345678", { country: "MX" }),
  c("ph", "01 55 1234 5678", "525512345678", { country: "MX" }),
  c("ph", "55 1234 5678", "525512345678", { country: "MX" }),
  c("ph", "+52 1 55 1234 5678", "525512345678"),
  c("ph", "+52 55 1234 5678", "525512345678"),
  c("ph", "(11) 91234-5678", "5511912345678", { country: "BR" }),
  c("ph", "+55 11 91234 5678", "5511912345678"),
  c("ph", "(11) 2345-6789", "551123456789", { country: "BR" }),
  c("ph", "14155550123", "14155550123", { country: "BR" }),
  c("ph", "+55 11 1234 5678", undefined),
  c("ph", "011 15 1234-5678", "5491112345678", { country: "AR" }),
  c("ph", "+54 9 11 1234 5678", "5491112345678"),
  // Asia, Oceania, Africa, the Gulf, Russia and Kazakhstan
  c("ph", "98765 43210", "919876543210", { country: "IN" }),
  c("ph", "+91 98765 43210", "919876543210"),
  c("ph", "12025550123", "12025550123", { country: "IN" }),
  c("ph", "138 1234 5678", "8613812345678", { country: "CN" }),
  c("ph", "+86 138 1234 5678", "8613812345678"),
  c("ph", "090-1234-5678", "819012345678", { country: "JP" }),
  c("ph", "03-1234-5678", "81312345678", { country: "JP" }),
  c("ph", "010-1234-5678", "821012345678", { country: "KR" }),
  c("ph", "0812-3456-7890", "6281234567890", { country: "ID" }),
  c("ph", "0917 123 4567", "639171234567", { country: "PH" }),
  c("ph", "0412 345 678", "61412345678", { country: "AU" }),
  c("ph", "+61 4 1234 5678", "61412345678"),
  c("ph", "082 123 4567", "27821234567", { country: "ZA" }),
  c("ph", "0803 123 4567", "2348031234567", { country: "NG" }),
  c("ph", "050 123 4567", "971501234567", { country: "AE" }),
  c("ph", "8 (999) 123-45-67", "79991234567", { country: "RU" }),
  c("ph", "+7 701 123 4567", "77011234567"),
  // Digits of other scripts: full-width (Japanese and Chinese keyboards), Arabic-Indic, Extended
  // Arabic-Indic (Persian, Urdu), Devanagari
  c("ph", "０９０-１２３４-５６７８", "819012345678", { country: "JP" }),
  c("ph", "＋８１ ９０ １２３４ ５６７８", "819012345678"),
  c("ph", "٠٥٠ ١٢٣ ٤٥٦٧", "971501234567", { country: "AE" }),
  c("ph", "+٩٧١ ٥٠ ١٢٣ ٤٥٦٧", "971501234567"),
  c("ph", "۰۹۱۲ ۳۴۵ ۶۷۸۹", "989123456789", { country: "IR" }),
  c("ph", "९८७६५ ४३२१०", "919876543210", { country: "IN" }),
  // Non-geographic, garbage, and values hashed upstream
  c("ph", "+800 1234 5678", "80012345678"),
  c("ph", "call me", undefined, { country: "US" }),
  c("ph", "+44 12", undefined),
  upstream("ph", PH_HASH, PH_HASH),
  upstream("ph", `${PH_HASH}.AQQCAQMC`, `${PH_HASH}.AQQCAQMC`),
];

const NAMES: CorpusCase[] = [
  c("fn", "Valéry", "valéry"),
  c("fn", "  Jane ", "jane"),
  c("fn", "JÜRGEN", "jürgen"),
  c("ln", "O'Connor", "oconnor"),
  c("ln", "O’Connor", "oconnor"),
  c("fn", "Mary Ann", "maryann"),
  c("fn", "Mary-Ann", "maryann"),
  c("ln", "Müller-Lüdenscheidt", "müllerlüdenscheidt"),
  c("fn", "Vale\u0301ry", "val\u00e9ry"),
  c("fn", "Jean-Luc", "jeanluc"),
  c("fn", "John 3rd!", "johnrd"),
  c("fn", "Мария", "мария"),
  c("fn", "李 小龍", "李小龍"),
  c("fn", "अनुराग", "अनुराग"),
  c("fn", "José", "josé"),
  c("ln", "Nguyễn", "nguyễn"),
  c("fn", "Ja\u200Bne", "jane"),
  c("fn", "\uFEFFJane", "jane"),
  c("fn", "Jo\u00ADhn", "john"),
  c("fn", " - ", undefined),
  c("fn", "123", undefined),
  c("ln", "Dr. Smith", "drsmith"),
  c("ln", "van der Berg", "vanderberg"),
  c("fn", "Søren", "søren"),
  c("ln", "Straße", "straße"),
  c("fn", "İsmail", "i\u0307smail"),
  c("fn", "ΣΟΦΊΑ", "σοφία"),
  c("ln", "Doe", "doe"),
  upstream("fn", EM_HASH, EM_HASH),
  upstream("ln", `${EM_HASH}.Aw`, `${EM_HASH}.Aw`),
];

const GENDERS: CorpusCase[] = [
  c("ge", "Female", "f"),
  c("ge", "M", "m"),
  c("ge", "f", "f"),
  c("ge", "male", "m"),
  c("ge", "woman", "f"),
  c("ge", "man", "m"),
  c("ge", " FEMALE ", "f"),
  c("ge", "M.", "m"),
  c("ge", "F\u200B", "f"),
  c("ge", "other", undefined),
  c("ge", "non-binary", undefined),
  c("ge", "x", undefined),
  c("ge", "Mrs", undefined),
  c("ge", "girl", undefined),
  c("ge", "Männlich", undefined),
];

const DATES: CorpusCase[] = [
  c("db", "19970216", "19970216"),
  c("db", "1990-02-14", "19900214"),
  c("db", "1990-02-14T00:00:00Z", "19900214"),
  c("db", "02/16/1997", "19970216"),
  c("db", "02/16/1997", "19970216", { country: "US" }),
  c("db", "16/02/1997", "19970216", { country: "GB" }),
  c("db", "05/02/1997", "19970502", { country: "US" }),
  c("db", "05/02/1997", "19970205", { country: "GB" }),
  c("db", "05/02/1997", "19970205", { country: "DE" }),
  c("db", "05/02/1997", "19970205", { country: "FR" }),
  c("db", "05/02/1997", "19970205", { country: "BR" }),
  c("db", "05/02/1997", "19970205", { country: "MX" }),
  c("db", "05/02/1997", "19970205", { country: "IN" }),
  c("db", "05/02/1997", "19970205", { country: "AU" }),
  c("db", "05/02/1997", "19970205", { country: "CA" }),
  c("db", "05/02/1997", "19970502", { country: "PH" }),
  c("db", "05/02/1997", "19970502", { country: "PA" }),
  c("db", "05/02/1997", "19970502"),
  c("db", "05.02.1997", "19970205"),
  c("db", "05.02.1997", "19970205", { country: "DE" }),
  c("db", "16.02.1997", "19970216"),
  c("db", "1997/02/16", "19970216"),
  c("db", "1997.2.16", "19970216", { country: "JP" }),
  c("db", "February 16, 1997", "19970216"),
  c("db", "16 February 1997", "19970216", { country: "GB" }),
  c("db", "Feb 16 1997", "19970216"),
  c("db", "02/30/1997", undefined),
  c("db", "31/04/1997", undefined, { country: "GB" }),
  c("db", "02/29/2001", undefined),
  c("db", "2000-02-29", "20000229"),
  c("db", "1899-12-31", undefined),
  c("db", "02/16/97", undefined),
  c("db", "2125-06-01", undefined),
  c("db", "my birthday", undefined),
  c("db", "14\u200B/02/1990", "19900214", { country: "GB" }),
  // Any punctuation or spaces between the parts, the month as a word (several languages), and
  // digits of other scripts
  c("db", "16 Feb 1997", "19970216"),
  c("db", "16-Feb-1997", "19970216"),
  c("db", "16/Feb/1997", "19970216"),
  c("db", "1997-Feb-16", "19970216"),
  c("db", "Feb. 16th, 1997", "19970216"),
  c("db", "FEBRUARY 16 1997", "19970216"),
  c("db", "16 02 1997", "19970216"),
  c("db", "02 16 1997", "19970216"),
  c("db", "1997 02 16", "19970216"),
  c("db", "16. 02. 1997", "19970216", { country: "DE" }),
  c("db", "05 02 1997", "19970205", { country: "FR" }),
  c("db", "16 février 1997", "19970216", { country: "FR" }),
  c("db", "1er févr. 1997", "19970201", { country: "FR" }),
  c("db", "16. Februar 1997", "19970216", { country: "DE" }),
  c("db", "16 de febrero de 1997", "19970216", { country: "ES" }),
  c("db", "16 de fevereiro de 1997", "19970216", { country: "BR" }),
  c("db", "16 febbraio 1997", "19970216", { country: "IT" }),
  c("db", "16 maart 1997", "19970316", { country: "NL" }),
  c("db", "١٦/٠٢/١٩٩٧", "19970216", { country: "EG" }),
  c("db", "۱۹۹۷/۰۲/۱۶", "19970216", { country: "IR" }),
  c("db", "１９９７年２月１６日", "19970216", { country: "JP" }),
  c("db", "1997년 2월 16일", "19970216", { country: "KR" }),
  c("db", "16 Feb 97", undefined),
  c("db", "16 lutego 1997", undefined, { country: "PL" }),
  upstream("db", EM_HASH, EM_HASH),
];

const CITIES: CorpusCase[] = [
  c("ct", "St. Louis", "stlouis"),
  c("ct", "San Francisco", "sanfrancisco"),
  c("ct", "São Paulo", "sãopaulo"),
  c("ct", "München", "münchen"),
  c("ct", "Winston-Salem", "winstonsalem"),
  c("ct", "Москва", "москва"),
  c("ct", "東京", "東京"),
  c("ct", "Paris 75", "paris"),
  c("ct", "123", undefined),
  c("ct", "New\u00A0York", "newyork"),
  c("ct", "Zürich\u200B", "zürich"),
  c("ct", "Kraków", "kraków"),
  c("ct", "Ciudad de México", "ciudaddeméxico"),
  c("ct", "L'Aquila", "laquila"),
  c("ct", "Québec", "québec"),
  c("ct", " London ", "london"),
];

const STATES: CorpusCase[] = [
  c("st", "CA", "ca", { country: "US" }),
  c("st", "ny", "ny"),
  c("st", "California", "ca"),
  c("st", "New York", "ny", { country: "US" }),
  c("st", "Québec", "qc", { country: "CA" }),
  c("st", "Quebec", "qc", { country: "CA" }),
  c("st", "Ontario", "on", { country: "CA" }),
  c("st", "British Columbia", "bc"),
  c("st", "Île-de-France", "îledefrance", { country: "FR" }),
  c("st", "Bayern", "bayern", { country: "DE" }),
  c("st", "NSW", "nsw", { country: "AU" }),
  c("st", "Z.H.", "zh", { country: "CH" }),
  c("st", "Narnia", undefined, { country: "US" }),
  c("st", "Texas", undefined, { country: "CA" }),
  c("st", "Georgia", "georgia", { country: "GE" }),
  c("st", "Washington, D.C.", "dc", { country: "US" }),
  c("st", "Puerto Rico", "pr", { country: "US" }),
  c("st", "Jalisco", "jalisco", { country: "MX" }),
  c("st", "São Paulo", "sãopaulo", { country: "BR" }),
  c("st", "Maharashtra", "maharashtra", { country: "IN" }),
  c("st", "Tokyo", "tokyo", { country: "JP" }),
  c("st", "New\u200B York", "ny", { country: "US" }),
  // ISO 3166-2 subdivision codes, checked against the shopper's country; US territories
  c("st", "US-CA", "ca", { country: "US" }),
  c("st", "us-ca", "ca"),
  c("st", "CA-ON", "on", { country: "CA" }),
  c("st", "CA-ON", "on"),
  c("st", "DE-BY", "by", { country: "DE" }),
  c("st", "US-CA", undefined, { country: "CA" }),
  c("st", "US-PR", "pr", { country: "PR" }),
  c("st", "Puerto Rico", "pr", { country: "PR" }),
  c("st", "ＣＡ", "ca", { country: "US" }),
];

const ZIPS: CorpusCase[] = [
  c("zp", "94103-1234", "94103", { country: "US" }),
  c("zp", "94103", "94103"),
  c("zp", "941031234", "94103", { country: "US" }),
  c("zp", "02134", "02134", { country: "US" }),
  c("zp", "NR9 5AL", "nr95al", { country: "GB" }),
  c("zp", "SW1A 1AA", "sw1a1aa", { country: "GB" }),
  c("zp", "K1A 0B1", "k1a0b1", { country: "CA" }),
  c("zp", "80331", "80331", { country: "DE" }),
  c("zp", "100-0001", "1000001", { country: "JP" }),
  c("zp", "01310-100", "01310100", { country: "BR" }),
  c("zp", "75008", "75008", { country: "FR" }),
  c("zp", "1000 AA", "1000aa", { country: "NL" }),
  c("zp", "110001", "110001", { country: "IN" }),
  c("zp", "2000", "2000", { country: "AU" }),
  c("zp", "06600", "06600", { country: "MX" }),
  c("zp", "00-950", "00950", { country: "PL" }),
  c("zp", "9410", undefined, { country: "US" }),
  c("zp", "NR9 5AL", undefined, { country: "US" }),
  c("zp", "1", undefined, { country: "FR" }),
  c("zp", "12345678901", undefined, { country: "FR" }),
  c("zp", "94103\u200B", "94103", { country: "US" }),
  // US territories and the freely associated states use US ZIP codes: Meta's first-5-digits rule
  c("zp", "00901-1234", "00901", { country: "PR" }),
  c("zp", "009011234", "00901", { country: "Puerto Rico" }),
  c("zp", "96910-1234", "96910", { country: "GU" }),
  c("zp", "00802-1234", "00802", { country: "VI" }),
  c("zp", "96799-0001", "96799", { country: "AS" }),
  c("zp", "96950-1234", "96950", { country: "MP" }),
  c("zp", "96941-1234", "96941", { country: "FM" }),
  c("zp", "09021-1234", "09021", { country: "US" }),
  c("zp", "NR9 5AL", undefined, { country: "PR" }),
  // Digits of other scripts
  c("zp", "１００-０００１", "1000001", { country: "JP" }),
  c("zp", "９４１０３-１２３４", "94103", { country: "US" }),
  c("zp", "١١٥١١", "11511", { country: "EG" }),
  c("zp", "۱۲۳۴۵-۶۷۸۹۰", "1234567890", { country: "IR" }),
  upstream("zp", `${EM_HASH}.Bg`, `${EM_HASH}.Bg`),
];

const COUNTRIES: CorpusCase[] = [
  c("country", "US", "us"),
  c("country", "gb", "gb"),
  c("country", "United States", "us"),
  c("country", "GBR", "gb"),
  c("country", "UK", "gb"),
  c("country", "U.S.A.", "us"),
  c("country", "Deutschland", "de"),
  c("country", "Germany", "de"),
  c("country", "France", "fr"),
  c("country", "MEX", "mx"),
  c("country", "Mexico", "mx"),
  c("country", "Brazil", "br"),
  c("country", "Japan", "jp"),
  c("country", "India", "in"),
  c("country", "South Korea", "kr"),
  c("country", "Côte d'Ivoire", "ci"),
  c("country", "España", "es"),
  c("country", "Türkiye", "tr"),
  c("country", "Netherlands", "nl"),
  c("country", "Philippines", "ph"),
  c("country", "Canada", "ca"),
  c("country", "United\u00A0Kingdom", "gb"),
  c("country", "\u200BUS", "us"),
  c("country", "zz", undefined),
  c("country", "Atlantis", undefined),
  upstream("country", US_HASH, US_HASH),
  upstream("country", `${US_HASH}.AQQCAQMC`, `${US_HASH}.AQQCAQMC`),
];

const EXTERNAL_IDS: CorpusCase[] = [
  c("external_id", " shopify:7712345 ", "shopify:7712345"),
  c("external_id", "ABC-12345", "abc-12345"),
  c("external_id", "cust 42 / a.b", "cust42/a.b"),
  c("external_id", "7712345", "7712345"),
  c("external_id", "\u200Bshopify:1", "shopify:1"),
  c("external_id", "ID\u00A0123", "id123"),
  c("external_id", "ÄBC", "äbc"),
  c("external_id", "user@example.com", "user@example.com"),
  c("external_id", "X\tY", "xy"),
  c("external_id", "ABC\u2060123", "abc123"),
  c("external_id", "42\uFEFF", "42"),
  c("external_id", "gid://shopify/Customer/1", "gid://shopify/customer/1"),
  c("external_id", "  ", undefined),
  upstream("external_id", EM_HASH.toUpperCase(), EM_HASH),
  upstream("external_id", `${EM_HASH}.AQQCAQMC`, `${EM_HASH}.AQQCAQMC`),
];

const IPS: CorpusCase[] = [
  c("client_ip_address", "203.0.113.7", "203.0.113.7"),
  c("client_ip_address", "8.8.8.8", "8.8.8.8"),
  c("client_ip_address", "1.1.1.1", "1.1.1.1"),
  c("client_ip_address", "2001:db8:85a3::8a2e:370:7334", "2001:db8:85a3::8a2e:370:7334"),
  c("client_ip_address", "2606:4700:4700::1111", "2606:4700:4700::1111"),
  c("client_ip_address", "2001:DB8::1", "2001:db8::1"),
  c("client_ip_address", "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
  c("client_ip_address", "203.0.113.7, 10.0.0.1", "203.0.113.7"),
  c("client_ip_address", "10.0.0.1, 203.0.113.7", "203.0.113.7"),
  c("client_ip_address", "[2001:db8::1]:443", "2001:db8::1"),
  c("client_ip_address", "8.8.8.8:80", "8.8.8.8"),
  c("client_ip_address", "2001:db8::1%eth0", "2001:db8::1"),
  c("client_ip_address", "fe80::1%eth0", undefined),
  c("client_ip_address", "::ffff:8.8.8.8", "8.8.8.8"),
  c("client_ip_address", "8.8.8.8.AQQAAQMC", "8.8.8.8"),
  c("client_ip_address", " 8.8.8.8 ", "8.8.8.8"),
  c("client_ip_address", "203.0.113.7", "2001:db8::7", { ipv6: "2001:db8::7" }),
  c("client_ip_address", "10.0.0.1", undefined),
  c("client_ip_address", "192.168.1.20", undefined),
  c("client_ip_address", "172.16.5.4", undefined),
  c("client_ip_address", "100.64.0.1", undefined),
  c("client_ip_address", "127.0.0.1", undefined),
  c("client_ip_address", "169.254.10.10", undefined),
  c("client_ip_address", "0.0.0.0", undefined),
  c("client_ip_address", "224.0.0.1", undefined),
  c("client_ip_address", "255.255.255.255", undefined),
  c("client_ip_address", "198.18.0.1", undefined),
  c("client_ip_address", "::1", undefined),
  c("client_ip_address", "fd00::1", undefined),
  c("client_ip_address", "ff02::1", undefined),
  c("client_ip_address", "unknown", undefined),
  c("client_ip_address", "008.8.8.8", undefined),
];

const FBCS: CorpusCase[] = [
  c("fbc", "fb.1.1732560123000.IwAR2xYz", "fb.1.1732560123000.IwAR2xYz"),
  c("fbc", "fb.1.1732560123000.IwAR2xYz", "fb.1.1732560123000.IwAR2xYz", { page: page("IwAR2xYz") }),
  c("fbc", "fb.1.1732560123000.OldClick", built("NewClick"), { page: page("NewClick") }),
  c("fbc", "fb.1.1732560123000.OldClick.AQQCAQMC", built("NewClick"), { page: page("NewClick") }),
  c("fbc", "fb.1.1732560123000.IwAR2xYz.AQQCAQMC", "fb.1.1732560123000.IwAR2xYz.AQQCAQMC"),
  c("fbc", "fb.1.1732560123000.IwAR2xYz.BA", "fb.1.1732560123000.IwAR2xYz.BA"),
  c("fbc", "fb.2.1732560123000.IwAR2xYz", "fb.2.1732560123000.IwAR2xYz"),
  c("fbc", " fb.1.1732560123000.IwAR2xYz ", "fb.1.1732560123000.IwAR2xYz"),
  c("fbc", "fb.1.1732560123000.IwAR2xYz\u200B", "fb.1.1732560123000.IwAR2xYz"),
  c("fbc", "fb.1.1732560123000.Cookie", "fb.1.1732560123000.Cookie", { referrer: REFERRER }),
  c("fbc", "", built("IwAR2xYz"), { page: page("IwAR2xYz") }),
  c("fbc", "", built("AbC%2Dx_Y"), { page: page("AbC%2Dx_Y") }),
  c("fbc", "", built("FromReferrer"), { referrer: REFERRER }),
  c("fbc", "garbage", built("Abc"), { page: page("Abc") }),
  c("fbc", "", undefined, { page: "https://shop.example.com/pages/quiz?fbclid=" }),
  c("fbc", "fb.1.1732560123000.IwAR_Mixed-Case.Ab", undefined),
  c("fbc", "garbage", undefined),
  c("fbc", "IwAR2xYz", undefined),
  c("fbc", "fb.1.1732560123000", undefined),
  c("fbc", "fb.x.1732560123000.IwAR2xYz", undefined),
  c("fbc", "FB.1.1732560123000.IwAR2xYz", undefined),
  c("fbc", "fb.1.1732560123000.IwAR2xYz.AQQCAQMC.x", undefined),
];

const FBPS: CorpusCase[] = [
  c("fbp", "fb.1.1732560000000.1098765432", "fb.1.1732560000000.1098765432"),
  c("fbp", "fb.2.1732560000000.554433221", "fb.2.1732560000000.554433221"),
  c("fbp", "fb.0.1732560000000.1098765432", "fb.0.1732560000000.1098765432"),
  c("fbp", "fb.1.1732560000000.1098765432.AQQCAQMC", "fb.1.1732560000000.1098765432.AQQCAQMC"),
  c("fbp", "fb.1.1732560000000.1098765432.Bg", "fb.1.1732560000000.1098765432.Bg"),
  c("fbp", " fb.1.1732560000000.1098765432 ", "fb.1.1732560000000.1098765432"),
  c("fbp", "fb.1.1732560000000.1098765432\uFEFF", "fb.1.1732560000000.1098765432"),
  c("fbp", "1098765432", undefined),
  c("fbp", "fb.1.1732560000000", undefined),
  c("fbp", "fb.1.1732560000000.1098765432.xyz", undefined),
  c("fbp", "fb.1.abc.1098765432", undefined),
  c("fbp", "GA1.2.1234.5678", undefined),
  c("fbp", "", undefined),
];

/** Every case, all keys. */
export const CORPUS: readonly CorpusCase[] = [
  ...EMAILS,
  ...PHONES,
  ...NAMES,
  ...GENDERS,
  ...DATES,
  ...CITIES,
  ...STATES,
  ...ZIPS,
  ...COUNTRIES,
  ...EXTERNAL_IDS,
  ...IPS,
  ...FBCS,
  ...FBPS,
];
