/**
 * Misbehaviour on demand: the modes the fake can be put in, read from the control endpoint's
 * query string, form or JSON (one shape for all three, and for the in-process `control()`), and
 * the book that keeps them, per pixel or for every pixel, until they expire.
 */
import { THROTTLE_CODES } from "./errors.ts";

/** Every mode, in the order the server applies them to a request. */
export const MODE_KINDS = [
  "drop",
  "slow",
  "fail_rate",
  "dead_version",
  "expired_token",
  "revoked_token",
  "wrong_pixel",
  "throttle",
  "transient",
  "no_permission",
  "version_warning",
] as const;
export type ModeKind = (typeof MODE_KINDS)[number];

/** What each mode does, for the control page and errors. */
export const MODE_HELP: Record<ModeKind, string> = {
  drop: "close the connection without an answer (phase=after: accept the events first, then close)",
  slow: "answer after delay ms",
  fail_rate: "fail a fraction (rate) of requests at random, seeded, as the mode named by fail",
  dead_version: "code 2635, the API version is retired (version=v24.0: only that one)",
  expired_token: "code 190 / 463, the token expired",
  revoked_token: "code 190 / 460, the token was invalidated",
  wrong_pixel: "code 100 / 33, the pixel does not exist or the token cannot see it",
  throttle: "code 17, 4 or 613 with Retry-After (status 429 or 400)",
  transient: "code 2 (or 1), is_transient, HTTP 500 or 503",
  no_permission: "Dataset Quality read refused with code 200 (or 10)",
  version_warning: "succeed with X-Ad-Api-Version-Warning (the call was auto-upgraded)",
};

/** The kinds `fail_rate` can fail as. */
export const FAIL_KINDS = ["transient", "throttle", "drop", "slow"] as const satisfies readonly ModeKind[];

/**
 * A mode as asked for: `mode` plus its parameters (query, form and JSON alike; numbers may be
 * strings). `mode: "none"` clears the scope's modes.
 *
 * @example
 * ```ts
 * const ask: ModeInput = { mode: "throttle", pixel: "123", for: 60, code: 613, retry_after: 5 };
 * ```
 */
export interface ModeInput {
  mode: string;
  /** Only this pixel (dataset); every pixel when absent. */
  pixel?: string | number;
  /** Seconds until the mode expires; forever when absent. */
  for?: string | number;
  status?: string | number;
  code?: string | number;
  retry_after?: string | number;
  delay?: string | number;
  rate?: string | number;
  fail?: string;
  phase?: string;
  version?: string;
}

/** A mode in force, its parameters resolved to their defaults. */
export interface ActiveMode {
  kind: ModeKind;
  pixel?: string;
  /** Epoch ms it was set and, if it expires, when. */
  since: number;
  until?: number;
  status?: number;
  code?: number;
  retryAfter?: number;
  delay?: number;
  rate?: number;
  fail?: (typeof FAIL_KINDS)[number];
  phase?: "before" | "after";
  version?: string;
}

/** A request the control endpoint must refuse, with the reason. */
export class ModeError extends Error {}

function numberIn(
  name: string,
  raw: string | number | undefined,
  fallback: number,
  ok: (n: number) => boolean,
): number {
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || !ok(value)) throw new ModeError(`${name} ${String(raw)} is out of range`);
  return value;
}

function oneOf<T extends string | number>(
  name: string,
  raw: string | number | undefined,
  fallback: T,
  allowed: readonly T[],
): T {
  if (raw === undefined || raw === "") return fallback;
  const value = (typeof fallback === "number" ? Number(raw) : String(raw)) as T;
  if (!allowed.includes(value)) throw new ModeError(`${name} must be one of ${allowed.join(", ")}`);
  return value;
}

/**
 * The mode a request asks for, its parameters checked and defaulted; throws `ModeError`.
 *
 * @example
 * ```ts
 * parseMode({ mode: "throttle", code: "613" }, Date.now()); // { kind: "throttle", code: 613, status: 400, retryAfter: 10, … }
 * ```
 */
export function parseMode(input: ModeInput, now: number): ActiveMode {
  const kind = input.mode as ModeKind;
  if (!MODE_KINDS.includes(kind))
    throw new ModeError(`unknown mode ${JSON.stringify(input.mode)}: one of ${MODE_KINDS.join(", ")}, or none`);
  const mode: ActiveMode = { kind, since: now };
  const pixel = input.pixel === undefined ? "" : String(input.pixel).trim();
  if (pixel !== "") {
    if (!/^\d+$/.test(pixel)) throw new ModeError("pixel must be digits");
    mode.pixel = pixel;
  }
  const seconds = numberIn("for", input.for, 0, (n) => n >= 0);
  if (seconds > 0) mode.until = now + seconds * 1000;
  const version = input.version?.trim();
  if (version) {
    if (!/^v\d+\.\d+$/.test(version)) throw new ModeError("version must look like v27.0");
    mode.version = version;
  }
  Object.assign(mode, parameters(kind, input));
  if (kind === "fail_rate") Object.assign(mode, parameters(mode.fail!, input));
  return mode;
}

function parameters(kind: ModeKind, input: ModeInput): Partial<ActiveMode> {
  switch (kind) {
    case "transient":
      return { status: oneOf("status", input.status, 500, [500, 503]), code: oneOf("code", input.code, 2, [1, 2]) };
    case "throttle": {
      const code = oneOf("code", input.code, 17, THROTTLE_CODES);
      return {
        code,
        status: oneOf("status", input.status, code === 17 ? 429 : 400, [400, 429]),
        retryAfter: numberIn("retry_after", input.retry_after, 10, (n) => Number.isInteger(n) && n >= 0 && n <= 86_400),
      };
    }
    case "slow":
      return { delay: numberIn("delay", input.delay, 3000, (n) => n >= 0 && n <= 600_000) };
    case "drop":
      return { phase: oneOf("phase", input.phase, "before", ["before", "after"] as const) };
    case "fail_rate":
      return {
        rate: numberIn("rate", input.rate, 0.2, (n) => n > 0 && n <= 1),
        fail: oneOf("fail", input.fail, "transient", FAIL_KINDS),
      };
    case "no_permission":
      return { code: oneOf("code", input.code, 200, [10, 200]) };
    default:
      return {};
  }
}

/**
 * The modes in force. A pixel's mode wins over the global one of the same kind; setting a mode
 * replaces the one of the same kind and scope.
 *
 * @example
 * ```ts
 * const book = new ModeBook();
 * book.set(parseMode({ mode: "transient", pixel: "123", for: 30 }, now));
 * book.forPixel("123", now); // [{ kind: "transient", pixel: "123", … }]
 * book.forPixel("456", now); // []
 * ```
 */
export class ModeBook {
  #modes: ActiveMode[] = [];

  set(mode: ActiveMode): void {
    this.#modes = [...this.#modes.filter((m) => m.kind !== mode.kind || m.pixel !== mode.pixel), mode];
  }

  /** Removes the scope's modes (a pixel's, or the global ones), of one kind or all. */
  clear(scope: { kind?: ModeKind; pixel?: string } = {}): void {
    this.#modes = this.#modes.filter(
      (m) => m.pixel !== scope.pixel || (scope.kind !== undefined && m.kind !== scope.kind),
    );
  }

  reset(): void {
    this.#modes = [];
  }

  /** Every mode still in force, expired ones dropped. */
  active(now: number): ActiveMode[] {
    this.#modes = this.#modes.filter((m) => m.until === undefined || m.until > now);
    return [...this.#modes];
  }

  /** The modes that apply to a request for `pixel` (global ones unless the pixel has its own), in MODE_KINDS order. */
  forPixel(pixel: string | undefined, now: number): ActiveMode[] {
    const active = this.active(now);
    return MODE_KINDS.flatMap((kind) => {
      const own = active.find((m) => m.kind === kind && m.pixel !== undefined && m.pixel === pixel);
      const global = active.find((m) => m.kind === kind && m.pixel === undefined);
      const mode = own ?? global;
      return mode ? [mode] : [];
    });
  }
}
