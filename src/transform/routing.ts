/**
 * Which destinations (pixels) a webhook goes to, and under which Meta event name. Pure: the
 * settings come in already parsed (src/config/destinations.ts); this only decides.
 *
 * A destination takes a webhook when every condition of its `match` holds: the `{source}` route
 * segment the webhook came in on, the store's domain, the quiz id and the Studio `type`. A
 * condition that is absent holds for every webhook. (Which Studio types are relayed at all is
 * decided before routing: `STUDIO_EVENT_TYPES`, see src/config/settings.ts.)
 *
 * @example
 * ```ts
 * const routes = routesFor({ type: "email:submit", store: { domain: "shop.example.de" }, quiz: {} }, undefined, config.destinations);
 * routes.map((route) => route.name); // ["eu", "marketplace"]
 * eventNameFor(routes[0]!, "quiz:complete"); // "QuizComplete" (the destination's map), else its default
 * ```
 */

/** The conditions of a destination's `match`; every one given must hold. */
export interface DestinationMatch {
  /** `{source}` route segments (`/webhooks/cartful/{source}`); absent: any route, with or without one. */
  sources?: readonly string[];
  /** Store domains, compared as hosts (case, scheme, path and a leading `www.` ignored); `*.example.com` matches subdomains. */
  storeDomains?: readonly string[];
  /** Studio quiz ids, compared exactly. */
  quizIds?: readonly string[];
  /** Studio `type`s; absent: every type the relay relays. */
  types?: readonly string[];
}

/** A destination's Meta event name: one for every Studio type, or one per type with a default. */
export interface EventNames {
  /** For Studio types the map does not name (`META_EVENT_NAME` unless the destination gives a name). */
  fallback: string;
  byType: Readonly<Record<string, string>>;
}

/** What routing needs to know of a destination. */
export interface Route {
  /** `[a-z0-9_-]{1,32}`, unique: names the destination in answers, logs, metrics and dead letters. */
  name: string;
  match: DestinationMatch;
  eventNames: EventNames;
}

/** The webhook fields routing reads. */
export interface RoutedWebhook {
  type: string;
  store: { domain?: string | undefined };
  quiz: { id?: string | undefined };
}

/**
 * The destinations, in configuration order, whose `match` holds for this webhook.
 *
 * @param source the `{source}` route segment, undefined on `/webhooks/cartful` itself
 * @example
 * ```ts
 * routesFor(webhook, "tiktok", destinations); // those with no `source` condition, or `source` "tiktok"
 * ```
 */
export function routesFor<R extends Route>(
  webhook: RoutedWebhook,
  source: string | undefined,
  routes: readonly R[],
): R[] {
  return routes.filter((route) => matches(route.match, webhook, source));
}

/**
 * The Meta event name a destination sends for a Studio type.
 *
 * @example
 * ```ts
 * eventNameFor({ eventNames: { fallback: "Lead", byType: { "quiz:complete": "QuizComplete" } } }, "email:submit"); // "Lead"
 * ```
 */
export function eventNameFor(route: Pick<Route, "eventNames">, type: string): string {
  return Object.hasOwn(route.eventNames.byType, type) ? route.eventNames.byType[type]! : route.eventNames.fallback;
}

function matches(match: DestinationMatch, webhook: RoutedWebhook, source: string | undefined): boolean {
  if (match.types && !match.types.includes(webhook.type)) return false;
  if (match.sources && (source === undefined || !match.sources.includes(source))) return false;
  if (match.quizIds && (webhook.quiz.id === undefined || !match.quizIds.includes(webhook.quiz.id.trim()))) return false;
  if (match.storeDomains) {
    const host = storeHost(webhook.store.domain);
    if (host === undefined || !match.storeDomains.some((pattern) => hostMatches(storeHost(pattern), host)))
      return false;
  }
  return true;
}

/**
 * A store domain as a bare lowercase host: scheme, path, port and a leading `www.` dropped.
 *
 * @example
 * ```ts
 * storeHost("https://WWW.Shop.Example.com/"); // "shop.example.com"
 * ```
 */
export function storeHost(domain: string | undefined): string | undefined {
  const host = domain
    ?.trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, "")
    .replace(/[/?#].*$/, "")
    .replace(/:\d+$/, "")
    .replace(/^www\./, "")
    .replace(/\.$/, "");
  return host ? host : undefined;
}

function hostMatches(pattern: string | undefined, host: string): boolean {
  if (pattern === undefined) return false;
  if (pattern.startsWith("*.")) return host.endsWith(pattern.slice(1));
  return pattern === host;
}
