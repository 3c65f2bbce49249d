/**
 * Meta's failures in the console's words, one line each: its message cleaned for showing once
 * and its codes. Apart from ../../console/words (the page's words, browser code) because the
 * Worker says them too: "Try now" answers Meta's refusal in these words (./routes), and the
 * page says the same refusal the same way.
 *
 * @example
 * ```ts
 * failureText({ status: 400, code: 190, subcode: 463, message: "Session has expired." }); // "Session has expired (HTTP 400 · code 190/463)"
 * ```
 */
import type { MetaRefusal } from "./model";

/**
 * Meta's message, cleaned for showing once: its clock text dropped (Meta writes its own time
 * zone, the console is in UTC), the trailing period stripped so a sentence can follow, spaces
 * collapsed.
 *
 * @example
 * ```ts
 * metaWords("Error validating access token: Session has expired on Tuesday, 01-Dec-26 22:53:11 PST. The current time is Wednesday, 02-Dec-26 00:10:00 PST.");
 * // "Error validating access token: Session has expired"
 * ```
 */
export function metaWords(message: string): string {
  return message
    .replace(/\s+on \w+day, \d{1,2}-\w{3}-\d{2,4} \d{1,2}:\d{2}(:\d{2})? [A-Z]{2,4}\b/g, "")
    .replace(/\s*The current time is [^.]*\.?/g, "")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[.\s]+$/, "");
}

/**
 * A failure of Meta's in one line: HTTP status, Meta's code (and subcode), its cleaned message.
 *
 * @example
 * ```ts
 * failureText({ status: 400, code: 190, subcode: 463, message: "Session has expired." }); // "Session has expired (HTTP 400 · code 190/463)"
 * ```
 */
export function failureText(problem: MetaRefusal): string {
  const codes = failureCodes(problem);
  const words = metaWords(problem.message);
  return words && codes ? `${words} (${codes})` : words || codes;
}

/**
 * The codes of a failure: `HTTP 400 · code 190/463`.
 *
 * @example
 * ```ts
 * failureCodes({ status: 503, message: "" }); // "HTTP 503"
 * ```
 */
export function failureCodes(problem: Pick<MetaRefusal, "status" | "code" | "subcode">): string {
  const parts: string[] = [];
  if (problem.status !== undefined) parts.push(`HTTP ${problem.status}`);
  else parts.push("no answer");
  if (problem.code !== undefined)
    parts.push(`code ${problem.code}${problem.subcode !== undefined ? `/${problem.subcode}` : ""}`);
  return parts.join(" · ");
}
