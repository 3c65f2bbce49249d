/**
 * The demo shop's page (`GET /`): a quiz a person clicks through, which loads the fake Meta's
 * Pixel stand-in (`{fake Meta}/fbevents.js`, left out when the Pixel is blocked, as an ad blocker
 * would: `fbq` missing), the real snippet (`/studio-pixel.js`) and the quiz (`/quiz.js`). Its
 * settings travel as JSON in the page; its Content-Security-Policy names exactly what a shop
 * needs to allow for the relay: the Pixel's scripts and images, and `connect-src` the relay.
 */
import { escapeHtml } from "../fake-meta/page.ts";
import { DEMO_PRODUCTS, DEMO_QUIZ } from "./catalog.ts";

export interface ShopPageSettings {
  /** The relay's `/collect/cartful` URL (the snippet's `collect`). */
  collect: string;
  /** The fake Meta's base URL (its Pixel stand-in and its page). */
  metaUrl: string;
  /** The relay's base URL (for the console link). */
  relayUrl: string;
  pixel: string;
  /** The Pixel left out, as an ad blocker would. */
  blocked: boolean;
}

/**
 * The page's Content-Security-Policy: scripts from the shop and the Pixel's origin, the Pixel's
 * reports (images) to Meta, the snippet's requests to the relay and the shop's own server.
 *
 * @example
 * ```ts
 * shopPolicy({ metaUrl: "http://127.0.0.1:8789", relayUrl: "http://127.0.0.1:8787" });
 * // "default-src 'none'; script-src 'self' http://127.0.0.1:8789; img-src http://127.0.0.1:8789 data:; connect-src 'self' http://127.0.0.1:8787; …"
 * ```
 */
export function shopPolicy(settings: Pick<ShopPageSettings, "metaUrl" | "relayUrl">): string {
  const meta = new URL(settings.metaUrl).origin;
  const relay = new URL(settings.relayUrl).origin;
  return [
    "default-src 'none'",
    `script-src 'self' ${meta}`,
    // data: for the page's empty favicon (no request for /favicon.ico).
    `img-src ${meta} data:`,
    `connect-src 'self' ${relay}`,
    "style-src 'unsafe-inline'",
    "form-action 'self'",
    "base-uri 'none'",
  ].join("; ");
}

/** One card per product, with the two buttons that fire its Studio events. */
function productCards(): string {
  return DEMO_PRODUCTS.map(
    (product, index) =>
      `<div class="product">${escapeHtml(product.title)}, $${product.price.toFixed(2)}<br>` +
      `<button type="button" data-product="${index}" data-type="product:view">View</button>` +
      `<button type="button" data-product="${index}" data-type="product:addToCart">Add to cart</button></div>`,
  ).join("\n");
}

/** JSON that can sit inside a <script> element: no `<` can close it. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

const STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 1rem auto; max-width: 50rem; padding: 0 1rem; }
h1 { font-size: 1.35rem; } h2 { font-size: 1.05rem; margin-top: 1.4rem; }
.bar { background: #f3f4f6; padding: .5rem .75rem; border-radius: 6px; }
.blocked { background: #fde8e8; } button { font: inherit; margin: .2rem .3rem .2rem 0; padding: .35rem .8rem; }
section.stage { border: 1px solid #ddd; border-radius: 6px; padding: .6rem .9rem; margin: .8rem 0; }
#log li { margin: .3rem 0; } code { font-size: 12px; } .product { display: inline-block; margin-right: 1.5rem; }
`;

/**
 * The whole page.
 *
 * @example
 * ```ts
 * res.end(renderShopPage({ collect: `${relayUrl}/collect/cartful`, metaUrl, relayUrl, pixel: DEV_PIXEL, blocked: false }));
 * ```
 */
export function renderShopPage(settings: ShopPageSettings): string {
  const meta = escapeHtml(settings.metaUrl);
  const pixelBar = settings.blocked
    ? `<p class="bar blocked" id="pixel-state"><strong>Pixel blocked</strong>, as an ad blocker would: <code>fbq</code> is missing, so only the relay's copies reach Meta.
<a href="/" id="toggle-pixel">Load the Pixel again</a> (a new quiz session).</p>`
    : `<p class="bar" id="pixel-state"><strong>Pixel loaded</strong>: the local Meta's stand-in (<code>${meta}/fbevents.js</code>) reports each event, and the relay sends the same one.
<a href="/?pixel=blocked" id="toggle-pixel">Block the Pixel</a> (as an ad blocker would; a new quiz session).</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><title>Demo shop: a Studio quiz, every event from both sides</title><style>${STYLE}</style>
<script type="application/json" id="demo-config">${scriptJson({ collect: settings.collect, pixel: settings.pixel, quiz: DEMO_QUIZ, products: DEMO_PRODUCTS })}</script>
${settings.blocked ? "" : `<script src="${meta}/fbevents.js"></script>`}
<script src="/studio-pixel.js"></script>
</head><body>
<h1>Demo shop: a Studio quiz, every event from both sides</h1>
<p>Each quiz event goes to the Pixel (browser) and, through the relay's <code>/collect/cartful</code>, to the Conversions API (server),
with the same <code>event_id</code>; the lead goes to the relay as Studio's webhook. Watch them pair up on the
<a href="${meta}/#pairs-heading" target="_blank" rel="noopener">local Meta's page</a> (server copies arrive within about 5 s, the queue's batch time),
and the relay's side on its <a href="${escapeHtml(settings.relayUrl)}/admin" target="_blank" rel="noopener">console</a> (secret <code>dev-admin</code>).</p>
${pixelBar}
<section class="stage" id="start"><h2>Skin Care Finder</h2><p>Three questions, then products for your skin.</p>
<button id="start-quiz" type="button">Start the quiz</button></section>
<section class="stage" id="step-skin-type" hidden><h2>1. Your skin type?</h2>
<button type="button">Oily</button><button type="button">Dry</button><button type="button">Combination</button></section>
<section class="stage" id="step-concern" hidden><h2>2. Your main concern?</h2>
<button type="button">Dark spots</button><button type="button">Redness</button><button type="button">Fine lines</button></section>
<section class="stage" id="email" hidden><h2>3. Where shall we send your routine?</h2>
<form id="email-form"><label>Email <input id="email-input" type="email" required maxlength="254" value="newcomer@example.com"></label>
<button id="submit-email">Show my results</button></form>
<p><small>The address goes to the shop's server only, which posts Studio's webhook to the relay; the browser sends no personal data.</small></p></section>
<section class="stage" id="results" hidden><h2>Your routine</h2>
<div id="products" hidden>
${productCards()}
</div>
<p><a href="${settings.blocked ? "/?pixel=blocked" : "/"}">Play again</a> (a new session)</p></section>
<h2>What the snippet did</h2>
<ol id="log"></ol>
<script src="/quiz.js"></script>
</body></html>`;
}
