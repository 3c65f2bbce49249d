/**
 * Known bots and crawlers by their `User-Agent`, for the browser route: their requests are
 * answered 202 and not sent to Meta (and counted as `bots`). Link previewers and ad crawlers
 * (Meta's own `facebookexternalhit` included) load shop pages and may run the snippet; an event
 * from them is not a shopper's.
 *
 * The list is short and deliberate: crawlers that name themselves, HTTP libraries that are never
 * a shopper's browser, and an absent or empty user agent (every browser sends one, and Meta
 * refuses a website event without `client_user_agent`). It does not look for `HeadlessChrome`:
 * automation that wants to pass for a browser changes its user agent anyway, and the relay's own
 * browser tests run headless Chromium. Matching is by substring, case-insensitive; generic words
 * (`bot` alone) are left out because real devices carry them (Cubot phones).
 *
 * @example
 * ```ts
 * isKnownBot("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"); // true
 * isKnownBot("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) … Safari/604.1");    // false
 * ```
 */

/** Substrings (lowercase) of the user agents of known bots, crawlers and HTTP libraries. */
export const BOT_MARKERS: readonly string[] = [
  // Crawlers that name themselves: "…bot/1.0", a contact URL, or the words.
  "bot/",
  "googlebot",
  "+http",
  "crawler",
  "spider",
  "slurp",
  // Link previewers and ad crawlers.
  "facebookexternalhit",
  "facebookcatalog",
  "meta-externalagent",
  "mediapartners-google",
  "adsbot",
  "google-inspectiontool",
  "bingpreview",
  "whatsapp/",
  "skypeuripreview",
  // Monitoring and audits.
  "chrome-lighthouse",
  "pingdom",
  "uptimerobot",
  "statuscake",
  // HTTP libraries and command-line tools.
  "curl/",
  "wget/",
  "python-requests",
  "python-urllib",
  "aiohttp",
  "go-http-client",
  "okhttp",
  "java/",
  "apache-httpclient",
  "libwww-perl",
  "scrapy",
  "axios/",
  "node-fetch",
];

/**
 * Whether a request's `User-Agent` is a known bot or crawler, or missing.
 *
 * @example
 * ```ts
 * isKnownBot(undefined);         // true
 * isKnownBot("curl/8.5.0");      // true
 * ```
 */
export function isKnownBot(userAgent: string | null | undefined): boolean {
  const agent = userAgent?.trim().toLowerCase();
  if (!agent || agent === "node") return true;
  return BOT_MARKERS.some((marker) => agent.includes(marker));
}
