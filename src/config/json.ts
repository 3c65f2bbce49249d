/**
 * A small strict JSON reader for the configuration's JSON texts (`DESTINATIONS`, `FIELD_MAP`),
 * which `JSON.parse` reads too kindly for settings:
 *
 * - a key written twice in one object is kept, last one winning: here every repeat is reported
 *   (`duplicates`), so a destination with two `"pixel_id"` is refused instead of sending to the
 *   second;
 * - a number is rounded to the nearest double (`12345678901234567` reads as …568): here the text
 *   of each number as written is kept (`numberText(object, key)`), so a pixel id can be checked
 *   digit for digit;
 * - objects are built without a prototype, so a key `__proto__` is an own key like any other
 *   (as with `JSON.parse`) and nothing read from the text is looked up through `Object.prototype`.
 *
 * Grammar: RFC 8259, nothing more (no comments, no trailing commas), nesting at most
 * {@link MAX_DEPTH} deep. A syntax error throws a {@link JsonTextError} with the offset only,
 * never the text (a configuration may hold a mistyped secret). Own code rather than a parser
 * package: the relay's bundle size matters, and this is all it needs.
 *
 * @example
 * ```ts
 * const read = readJson('[{"name":"a","pixel_id":12345678901234567,"name":"b"}]');
 * read.duplicates;                                  // [{ path: [0], key: "name" }]
 * read.numberText((read.value as any)[0], "pixel_id"); // "12345678901234567"
 * ```
 */

/** How deep objects and arrays may nest; deeper is refused rather than risking the stack. */
export const MAX_DEPTH = 32;

/** The text is not JSON (RFC 8259). The message gives an offset, never the text. */
export class JsonTextError extends Error {
  override name = "JsonTextError";
}

/** Where a key was written twice: the path of its object (indices and keys from the top), and the key. */
export interface DuplicateKey {
  path: Array<string | number>;
  key: string;
}

export interface JsonRead {
  value: unknown;
  /** Every key written more than once in one object, in text order (the value kept is the last). */
  duplicates: DuplicateKey[];
  /** The number literal as written for `object[key]` (an object or array of `value`), else `undefined`. */
  numberText(object: object, key: string | number): string | undefined;
}

const WHITESPACE = /[ \t\n\r]*/y;
// A raw control character is not allowed inside a JSON string (RFC 8259 §7): matching them is the point.
// oxlint-disable-next-line no-control-regex
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WORDS = { true: true, false: false, null: null } as const;

/**
 * Reads a JSON text strictly; throws {@link JsonTextError}.
 *
 * @example
 * ```ts
 * readJson('{"a":1,"a":2}').duplicates; // [{ path: [], key: "a" }]
 * ```
 */
export function readJson(text: string): JsonRead {
  let at = 0;
  const duplicates: DuplicateKey[] = [];
  const numbers = new WeakMap<object, Map<string | number, string>>();

  const fail = (what: string): never => {
    throw new JsonTextError(`not JSON: ${what} at offset ${at}`);
  };
  const skip = () => {
    WHITESPACE.lastIndex = at;
    WHITESPACE.test(text);
    at = WHITESPACE.lastIndex;
  };
  const token = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = at;
    const found = pattern.exec(text)?.[0];
    if (found !== undefined) at += found.length;
    return found;
  };
  const expect = (char: string) => {
    skip();
    if (text[at] !== char) fail(`expected ${char}`);
    at++;
  };
  const string = (): string => {
    const literal = token(STRING) ?? fail("a malformed string");
    return JSON.parse(literal) as string;
  };

  const value = (path: Array<string | number>, parent: object, key: string | number): unknown => {
    if (path.length > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
    skip();
    const char = text[at];
    if (char === "{") return object(path);
    if (char === "[") return array(path);
    if (char === '"') return string();
    const literal = token(NUMBER);
    if (literal !== undefined) {
      let texts = numbers.get(parent);
      if (texts === undefined) numbers.set(parent, (texts = new Map()));
      texts.set(key, literal);
      return Number(literal);
    }
    for (const [word, meaning] of Object.entries(WORDS)) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return meaning;
      }
    }
    return fail("an unexpected character");
  };

  const object = (path: Array<string | number>): Record<string, unknown> => {
    at++;
    const result = Object.create(null) as Record<string, unknown>;
    skip();
    if (text[at] === "}") return (at++, result);
    for (;;) {
      skip();
      const key = string();
      expect(":");
      if (Object.hasOwn(result, key)) duplicates.push({ path, key });
      result[key] = value([...path, key], result, key);
      skip();
      if (text[at] === "}") return (at++, result);
      expect(",");
    }
  };

  const array = (path: Array<string | number>): unknown[] => {
    at++;
    const result: unknown[] = [];
    skip();
    if (text[at] === "]") return (at++, result);
    for (;;) {
      result.push(value([...path, result.length], result, result.length));
      skip();
      if (text[at] === "]") return (at++, result);
      expect(",");
    }
  };

  const top = value([], {}, "");
  skip();
  if (at !== text.length) fail("text after the value");
  return {
    value: top,
    duplicates,
    numberText: (object, key) => numbers.get(object)?.get(key),
  };
}
