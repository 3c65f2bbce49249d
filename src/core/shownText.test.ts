import { describe, expect, it } from "vitest";
import { jsonWithoutInvisible, shownText } from "./shownText";
import { logLine } from "./log";

const HOSTILE = [
  "\u202E", // right-to-left override
  "\u2066", // left-to-right isolate
  "\u200F", // right-to-left mark
  "\u061C", // Arabic letter mark
  "\u200B", // zero-width space
  "\uFEFF", // BOM
  "\u0085", // next line (C1)
  "\u2028", // line separator
  "\u007F", // DEL
  "\u{E0041}", // tag letter A
];

describe("jsonWithoutInvisible", () => {
  it.each(HOSTILE.map((c) => [c.codePointAt(0)!.toString(16), c]))(
    "escapes U+%s, and the parsed value is the same text",
    (_, c) => {
      const json = jsonWithoutInvisible(JSON.stringify({ event_id: `cartful.a${c}b.1` }));
      expect(json).not.toContain(c);
      expect(json).toMatch(/\\u[0-9a-f]{4}/);
      expect(JSON.parse(json)).toEqual({ event_id: `cartful.a${c}b.1` });
    },
  );

  it("leaves ordinary text, accents and emoji as they are", () => {
    const json = JSON.stringify({ name: "Zoë’s quiz 🎉", id: "ses_5f1c9a7e2b" });
    expect(jsonWithoutInvisible(json)).toBe(json);
  });
});

describe("shownText", () => {
  it("shows each hostile character as its code point", () => {
    expect(shownText("cartful.\u202Eses.1")).toBe("cartful.\\u{202E}ses.1");
    expect(shownText("a\u{E0041}")).toBe("a\\u{E0041}");
    for (const c of HOSTILE) expect(shownText(`x${c}y`)).not.toContain(c);
  });

  it("never shows two different texts alike: a backslash is escaped too", () => {
    const spoof = "cartful.\\u{202E}ses.1";
    expect(shownText(spoof)).not.toBe(shownText("cartful.\u202Eses.1"));
  });

  it("leaves a plain id as it came", () => {
    expect(shownText("cartful.ses_5f1c9a7e2b.2@eu")).toBe("cartful.ses_5f1c9a7e2b.2@eu");
  });
});

describe("logLine", () => {
  it("never writes a direction-changing character of an id as it is", () => {
    const lines: string[] = [];
    logLine((line) => void lines.push(line), { msg: "webhook", outcome: "sent", event_id: "cartful.\u202Eab.1" });
    expect(lines[0]).not.toContain("\u202E");
    expect(JSON.parse(lines[0]!).event_id).toBe("cartful.\u202Eab.1");
  });
});
