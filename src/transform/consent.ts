/**
 * Whether the shopper's consent lets this lead go to Meta. Pure.
 *
 * An explicit denial always wins: `shopper.marketing_consent: false`, or Consent Mode's
 * `ad_user_data` / `ad_storage` `"denied"`. With `requireConsent` on, silence is not enough
 * either: the webhook must carry `marketing_consent: true` or `ad_user_data: "granted"`.
 *
 * @example
 * ```ts
 * consentDecision({ shopper: { marketing_consent: false }, context: {} }, false);
 * // { send: false, reason: "consent_denied" }
 * ```
 */
export type ConsentSignal = "granted" | "denied" | undefined;

export interface ConsentSource {
  shopper: { marketing_consent?: boolean | null | undefined };
  context: { consent?: { ad_storage?: ConsentSignal; ad_user_data?: ConsentSignal } | null | undefined };
}

export type ConsentDecision = { send: true } | { send: false; reason: "consent_denied" | "consent_not_granted" };

export function consentDecision(source: ConsentSource, requireConsent: boolean): ConsentDecision {
  const marketing = source.shopper.marketing_consent;
  const adUserData = source.context.consent?.ad_user_data;
  const adStorage = source.context.consent?.ad_storage;
  if (marketing === false || adUserData === "denied" || adStorage === "denied") {
    return { send: false, reason: "consent_denied" };
  }
  if (requireConsent && marketing !== true && adUserData !== "granted") {
    return { send: false, reason: "consent_not_granted" };
  }
  return { send: true };
}
