/**
 * Text from outside (ids the sender chose, Meta's words) as a log line, an answer or a page may
 * carry it: without the characters that make one text look like another or hide part of it.
 * Control characters (C0, DEL, C1), bidirectional controls (LRM/RLM, ALM, embeddings, overrides,
 * isolates), zero-width and other invisible format characters (soft hyphen, joiners, word joiner,
 * BOM, interlinear annotation, Unicode tags), and the line and paragraph separators. Such a
 * character could make `cartful.ses_1.1` and `cartful.ses_\u202E1.1` read alike on a console, or
 * turn a log line around in a terminal.
 *
 * Two forms, both reversible, so nothing is lost:
 * - in JSON (log lines, answers), {@link jsonWithoutInvisible}: the character as a JSON `\uXXXX`
 *   escape, which a JSON reader turns back into the same text (a key copied from a parsed answer
 *   still finds its letter);
 * - shown as text (a page, a confirmation), {@link shownText}: `\u{XXXX}`, and a backslash as `\\`,
 *   so that no text can pass itself off as the escaped form of another.
 *
 * @example
 * ```ts
 * jsonWithoutInvisible(JSON.stringify({ id: "a\u202Eb" })); // '{"id":"a\\u202eb"}'
 * shownText("a\u202Eb"); // "a\\u{202E}b"
 * ```
 */

/** The characters that never reach a line, an answer or a page as they are. */
const INVISIBLE =
  // Control characters are what this matches: the point of it.
  // oxlint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufeff\ufff9-\ufffb]|\udb40[\udc00-\udc7f]/g;

const hex4 = (unit: number) => unit.toString(16).padStart(4, "0");

/**
 * A JSON text with every invisible or direction-changing character written as a `\uXXXX` escape.
 * Such characters only occur inside JSON strings, where the escape means the same character, so
 * the parsed value is unchanged.
 *
 * @example
 * ```ts
 * jsonWithoutInvisible('{"event_id":"cartful.\u202Eses.1"}'); // '{"event_id":"cartful.\\u202eses.1"}'
 * ```
 */
export function jsonWithoutInvisible(json: string): string {
  return json.replace(INVISIBLE, (c) => [...Array(c.length).keys()].map((i) => `\\u${hex4(c.charCodeAt(i))}`).join(""));
}

/**
 * Text as a page or a plain-text message shows it: each invisible or direction-changing character
 * as `\u{XXXX}` (its code point), and a backslash as `\\`, so two different texts never look the
 * same. Text without such characters or backslashes is returned as it came.
 *
 * @example
 * ```ts
 * shownText("cartful.ses_1.1"); // "cartful.ses_1.1"
 * shownText("cartful.\u202Eses.1"); // "cartful.\\u{202E}ses.1"
 * shownText("a\\u{202E}"); // "a\\\\u{202E}"
 * ```
 */
export function shownText(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(INVISIBLE, (c) => `\\u{${c.codePointAt(0)!.toString(16).toUpperCase()}}`);
}
