/// <reference types="node" />
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { isBuilderAppendix, isBuilderHashed, splitBuilderAppendix } from "./paramBuilder";

const require = createRequire(import.meta.url);
const hex = createHash("sha256").update("john_smith@gmail.com").digest("hex");

describe("isBuilderAppendix", () => {
  it.each(["AQ", "Ag", "Aw", "BA", "BQ", "Bg"])("accepts the legacy language token %s", (token) => {
    expect(isBuilderAppendix(token)).toBe(true);
  });
  it.each(["AQQCAQMC", "AQQAAQMC", "AQQDAQMC", "AQQCAQIA", "Ab-_0123"])(
    "accepts the 8-character appendix %s",
    (appendix) => {
      expect(isBuilderAppendix(appendix)).toBe(true);
    },
  );
  it.each([
    ["another 2-character string", "Ab"],
    ["a token in the wrong case", "aq"],
    ["7 characters", "AQQCAQM"],
    ["9 characters", "AQQCAQMCA"],
    ["a character outside base64url", "AQQC+QMC"],
    ["padding", "AQQCAQ=="],
    ["empty", ""],
  ])("refuses %s", (_why, segment) => {
    expect(isBuilderAppendix(segment)).toBe(false);
  });
  it("recognises every appendix Meta's Node builder makes", () => {
    const { getAppendixInfo } = require("capi-param-builder-nodejs/src/utils/AppendixProvider") as {
      getAppendixInfo(kind: number): string;
    };
    for (const kind of [0, 1, 2, 3]) expect(isBuilderAppendix(getAppendixInfo(kind)), String(kind)).toBe(true);
  });
});

describe("isBuilderHashed", () => {
  it("accepts 64 hex digits, a dot and an appendix", () => {
    expect(isBuilderHashed(`${hex}.AQQCAQMC`)).toBe(true);
    expect(isBuilderHashed(`${hex}.BA`)).toBe(true);
    expect(isBuilderHashed(`${hex.toUpperCase()}.AQQCAQMC`)).toBe(true);
  });
  it.each([
    ["a bare SHA-256", hex],
    ["a bad appendix", `${hex}.Ab`],
    ["63 hex digits", `${hex.slice(1)}.AQQCAQMC`],
    ["an MD5 (32 hex)", `${hex.slice(0, 32)}.AQQCAQMC`],
    ["surrounding spaces (the caller trims)", ` ${hex}.AQQCAQMC`],
    ["plaintext with an appendix", "john_smith@gmail.com.AQQCAQMC"],
  ])("refuses %s", (_why, value) => {
    expect(isBuilderHashed(value)).toBe(false);
  });
  it("recognises what Meta's builder makes of an email", () => {
    const { ParamBuilder } = require("capi-param-builder-nodejs") as {
      ParamBuilder: new () => { getNormalizedAndHashedPII(value: string, type: string): string | null };
    };
    const made = new ParamBuilder().getNormalizedAndHashedPII(" John_Smith@gmail.com ", "email")!;
    expect(made.startsWith(`${hex}.`)).toBe(true);
    expect(isBuilderHashed(made)).toBe(true);
  });
});

describe("splitBuilderAppendix", () => {
  it("splits off an appendix after the last dot", () => {
    expect(splitBuilderAppendix("8.8.8.8.AQQAAQMC")).toEqual({ core: "8.8.8.8", appendix: "AQQAAQMC" });
    expect(splitBuilderAppendix("2001:db8::1.BA")).toEqual({ core: "2001:db8::1", appendix: "BA" });
  });
  it("leaves a value without one whole", () => {
    expect(splitBuilderAppendix("8.8.8.8")).toEqual({ core: "8.8.8.8", appendix: undefined });
    expect(splitBuilderAppendix("fb.1.1732560123000.IwAR2xYz.Ab")).toEqual({
      core: "fb.1.1732560123000.IwAR2xYz.Ab",
      appendix: undefined,
    });
    expect(splitBuilderAppendix("2001:db8::ba")).toEqual({ core: "2001:db8::ba", appendix: undefined });
  });
});
