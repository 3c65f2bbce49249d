// js-sha256 (the SDK's hash) as pure JavaScript inside workerd. Left alone, under
// nodejs_compat it sees `process.versions.node`, calls eval("require('crypto')") and the Worker
// fails to start. Its only switch is read from `window`, so set that while it loads.
globalThis.window = { JS_SHA256_NO_NODE_JS: true };
const { default: jsSha256 } = await import("js-sha256");
delete globalThis.window;
export const jsSha256Hex = jsSha256.sha256 ?? jsSha256;
