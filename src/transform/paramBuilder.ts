/**
 * The formats of Meta's Parameter Builder (capi-param-builder and its browser, PHP, Python,
 * Java and Ruby siblings): the one place that says what a builder appendix and a
 * builder-hashed value look like. Used by every hashed `user_data` key (`./userData`), by
 * `fbc`/`fbp` (`./clickIds`) and by `client_ip_address` (`./clientIp`).
 *
 * The builder ends every value it makes with a dot and an appendix naming itself: a 2-character
 * legacy token (`AQ`, `Ag`, `Aw`, `BA`, `BQ`, `Bg`, one per language) or 8 base64url characters
 * (6 bytes: format, language, kind of change, version; e.g. `AQQCAQMC`). A hashed value is
 * `<64 hex>.<appendix>`; such a value is final and is sent exactly as it came.
 *
 * Pure functions: no I/O.
 */

/** The builder's 2-character language tokens (its `SUPPORTED_PARAM_BUILDER_LANGUAGES_TOKEN`). */
const LEGACY_APPENDIXES: ReadonlySet<string> = new Set(["AQ", "Ag", "Aw", "BA", "BQ", "Bg"]);
const APPENDIX_V2 = /^[A-Za-z0-9_-]{8}$/;
const BUILDER_HASHED = /^[0-9a-fA-F]{64}\.([A-Za-z0-9_-]{2}|[A-Za-z0-9_-]{8})$/;

/**
 * Whether `segment` is a Parameter Builder appendix: a legacy 2-character token or 8 base64url
 * characters. Case matters (`Ab` and `aq` are not appendixes).
 *
 * @example
 * ```ts
 * isBuilderAppendix("AQQCAQMC"); // true
 * isBuilderAppendix("BA");       // true
 * isBuilderAppendix("Ab");       // false
 * ```
 */
export function isBuilderAppendix(segment: string): boolean {
  return segment.length === 2 ? LEGACY_APPENDIXES.has(segment) : APPENDIX_V2.test(segment);
}

/**
 * Whether `value` is a value hashed by the Parameter Builder: 64 hex digits (either case), a dot
 * and an appendix. The caller has already trimmed it.
 *
 * @example
 * ```ts
 * isBuilderHashed("62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f.AQQCAQMC"); // true
 * isBuilderHashed("62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f");          // false
 * ```
 */
export function isBuilderHashed(value: string): boolean {
  const match = BUILDER_HASHED.exec(value);
  return match !== null && isBuilderAppendix(match[1]!);
}

/**
 * `value` split at its last dot when what follows is a builder appendix; otherwise the whole
 * value and no appendix.
 *
 * @example
 * ```ts
 * splitBuilderAppendix("8.8.8.8.AQQAAQMC"); // { core: "8.8.8.8", appendix: "AQQAAQMC" }
 * splitBuilderAppendix("8.8.8.8");          // { core: "8.8.8.8", appendix: undefined }
 * ```
 */
export function splitBuilderAppendix(value: string): { core: string; appendix: string | undefined } {
  const dot = value.lastIndexOf(".");
  const last = value.slice(dot + 1);
  if (dot < 0 || !isBuilderAppendix(last)) return { core: value, appendix: undefined };
  return { core: value.slice(0, dot), appendix: last };
}
