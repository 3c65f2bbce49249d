/**
 * A shopper's browser as the fault tests play it: the Pixel snippet's `collect` requests to
 * `POST /collect/cartful`, each a few quiz events (product views, an add to cart, the quiz's
 * completion) with ids as the snippet makes them. A request answered 503 (the queue refused it,
 * nothing was queued) is sent again after `Retry-After`, as the snippet's next page would; a 202
 * names the events queued: those must reach Meta.
 */
import type { SimClock, SimRelay } from "./relay";

/** The shop's origin, to list in `BROWSER_ORIGINS`. */
export const SHOP_ORIGIN = "https://shop.example.com";
const CHROME =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/** Where a browser request comes from: the store's domain and the quiz (what destinations match on). */
export interface BrowserOrigin {
  store?: string;
  quiz?: string;
}

/** A browser request's body: `events` quiz events of one session, occurred at `occurredAt`. */
export function browserRequest(
  index: number,
  events: number,
  occurredAt: number,
  origin: BrowserOrigin = {},
  tag = "fault",
) {
  const session = `ses_${tag}_browser_${index}`;
  const at = new Date(occurredAt).toISOString();
  const common = { occurred_at: at, session: { id: session, attempt: 1 }, quiz: { id: origin.quiz ?? "quiz_1" } };
  const store = { currency: "USD", domain: origin.store ?? "shop.example.com" };
  return {
    events: Array.from({ length: events }, (_, n) =>
      n === events - 1
        ? { ...common, type: "quiz:complete", event_id: `cartful.${session}.1.quiz:complete`, store }
        : {
            ...common,
            type: n === 0 ? "product:addToCart" : "product:view",
            event_id: `cartful.${session}.1.${n === 0 ? "product:addToCart" : "product:view"}.${8000 + n}`,
            product: { product_id: String(8000 + n), price: 12.5, quantity: 1 },
            store,
          },
    ),
    page_url: "https://shop.example.com/pages/quiz?fbclid=IwAR_fault",
    consent: { ad_user_data: "granted", ad_storage: "granted" },
  };
}

/** What the shoppers' requests came to. */
export interface BrowserIntake {
  requests: number;
  queued: number;
  unavailable: number;
  /** Every event_id answered `queued`. */
  queuedIds: Set<string>;
}

export class Shoppers {
  readonly intake: BrowserIntake = { requests: 0, queued: 0, unavailable: 0, queuedIds: new Set() };

  constructor(
    private readonly relay: SimRelay,
    private readonly clock: SimClock,
  ) {}

  /** Sends one request until it is answered 202 (after `Retry-After` on each 503). */
  async send(body: ReturnType<typeof browserRequest>, index: number): Promise<void> {
    for (;;) {
      this.intake.requests++;
      const res = await this.relay.request("/collect/cartful", {
        method: "POST",
        headers: {
          origin: SHOP_ORIGIN,
          "content-type": "text/plain;charset=UTF-8",
          "user-agent": CHROME,
          "cf-connecting-ip": `203.0.113.${index % 250}`,
        },
        body: JSON.stringify(body),
      });
      const answer = (await res.json()) as { events?: { event_id?: string; status: string }[] };
      if (res.status === 202) {
        this.intake.queued++;
        for (const e of answer.events ?? [])
          if (e.status === "queued" && e.event_id) this.intake.queuedIds.add(e.event_id);
        return;
      }
      if (res.status !== 503) throw new Error(`browser request answered ${res.status}`);
      this.intake.unavailable++;
      await this.clock.sleepSeconds(Number(res.headers.get("retry-after") ?? "30") / 10);
    }
  }
}
