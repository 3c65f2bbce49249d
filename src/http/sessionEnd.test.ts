import { describe, expect, it } from "vitest";
import { endSession, sessionEnded } from "./sessionEnd";

const NOW = Date.parse("2026-11-25T19:00:00Z");
const session = { id: "Qm9iQm9iQm9iQm9iQm9iQm", expiresAt: NOW + 3_600_000 };

/** A `METRICS` namespace whose one store keeps ended sessions in a Set, or fails. */
function metrics(fails = false) {
  const ended = new Set<string>();
  const store = {
    sessionEnded: async (id: string) => {
      if (fails) throw new TypeError("store unreachable");
      return ended.has(id);
    },
    endSession: async (id: string) => void ended.add(id),
  };
  return { METRICS: { idFromName: () => "metrics", get: () => store } as unknown as Env["METRICS"], ended };
}

describe("sessionEnded", () => {
  it("is false until a logout ends the session, then true", async () => {
    const { METRICS } = metrics();
    expect(await sessionEnded({ METRICS }, session, NOW, () => {})).toBe(false);
    await endSession({ METRICS }, session, NOW);
    expect(await sessionEnded({ METRICS }, session, NOW, () => {})).toBe(true);
  });

  it("refuses the session when the store cannot say, and logs the error's name only", async () => {
    const lines: string[] = [];
    const { METRICS } = metrics(true);
    expect(await sessionEnded({ METRICS }, session, NOW, (line) => void lines.push(line))).toBe(true);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "error", outcome: "session_unknown", reason: "TypeError" });
    expect(lines[0]).not.toContain(session.id);
  });

  it("cannot end a session without a metrics store: logout then only clears the cookie", async () => {
    expect(await sessionEnded({}, session, NOW, () => {})).toBe(false);
    await expect(endSession({}, session, NOW)).resolves.toBeUndefined();
  });
});
