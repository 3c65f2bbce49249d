/**
 * The fake's HTTP plumbing: reading and parsing request bodies the way Graph accepts them, and
 * the small derived values its answers and records need.
 */
import type { IncomingMessage } from "node:http";

/** The largest body the fake reads. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** A request body over MAX_BODY_BYTES. */
export class BodyTooLarge extends Error {}

/** The whole body as UTF-8 text; throws BodyTooLarge past MAX_BODY_BYTES. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * A JSON body, or a form body whose `data` is JSON text (Graph takes both); `undefined` when
 * unreadable, `{}` when empty.
 *
 * @example
 * ```ts
 * parseBody('{"data":[]}', "application/json"); // { data: [] }
 * parseBody("data=%5B%5D&access_token=T", "application/x-www-form-urlencoded"); // { data: [], access_token: "T" }
 * ```
 */
export function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> | undefined {
  if (raw.trim() === "") return {};
  if ((contentType ?? "").startsWith("application/x-www-form-urlencoded")) {
    const form: Record<string, unknown> = Object.fromEntries(new URLSearchParams(raw));
    if (typeof form.data === "string") {
      try {
        form.data = JSON.parse(form.data);
      } catch {
        return undefined;
      }
    }
    return form;
  }
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The sorted `user_data` key names the events carried (names only, never values).
 *
 * @example
 * ```ts
 * userDataKeys([{ user_data: { fbp: "…", em: "…" } }]); // ["em", "fbp"]
 * ```
 */
export function userDataKeys(events: unknown[]): string[] {
  const keys = new Set<string>();
  for (const event of events) {
    const userData = (event as { user_data?: unknown })?.user_data;
    if (typeof userData === "object" && userData !== null) for (const key of Object.keys(userData)) keys.add(key);
  }
  return [...keys].sort();
}

/**
 * `X-Ad-Api-Version-Warning` for an auto-upgraded call, worded as a live answer seen by a public
 * client was ("The call has been auto-upgraded to v26.0 as v25.0 will be deprecated."); Meta's
 * Marketing API "Versioning" page documents the header.
 *
 * @example
 * ```ts
 * versionWarning("v27.0"); // "The call has been auto-upgraded to v28.0 as v27.0 will be deprecated."
 * ```
 */
export function versionWarning(version: string): string {
  const next = `v${Number(/^v(\d+)/.exec(version)?.[1] ?? 0) + 1}.0`;
  return `The call has been auto-upgraded to ${next} as ${version} will be deprecated.`;
}
