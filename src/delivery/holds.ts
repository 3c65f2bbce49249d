/**
 * The words of holding: why a destination's events wait (a {@link HoldCause}), what its circuit
 * looks like from outside (a {@link CircuitStatus}), and which Durable Object instance is its
 * circuit ({@link circuitName}, {@link circuitOf}). Types and small functions without storage, so
 * modules tested in Node can use them; the circuit itself is ./circuit, its rules ./circuitState.
 */

import type { GraphFailure } from "./graph";
import type { MetaRefusal } from "./metaErrors";

/** Why a destination's events are held. */
export type HoldCause =
  /** Meta refused the destination's configuration (token, pixel, permissions, version). */
  | { kind: "meta_refused"; failure: GraphFailure }
  /** A sustained transient outage: every request to the destination failed for minutes (./circuitState). */
  | { kind: "meta_unavailable"; failure: GraphFailure }
  /** The destination's access-token secret (`secret`, its name) is unset while the relay is live. */
  | { kind: "no_token"; secret?: string }
  /** No destination of that name in the settings. */
  | { kind: "unknown_destination" }
  /** The settings cannot be read at all (a ConfigError). */
  | { kind: "settings_unusable" };

/** A circuit as the consumer, `/healthz` and the console see it. */
export interface CircuitStatus {
  open: boolean;
  cause?: HoldCause["kind"];
  /** When it opened (ms). */
  since?: number;
  held: number;
  probes: number;
  nextProbeAt?: number;
  lastFailure?: MetaRefusal;
  /** While closed: since when every request reported to it failed transiently (ms); unset once one got through. */
  failingSince?: number;
}

/** The binding of the circuits, as the generated `Env` types it (absent: the relay runs without circuits). */
export type CircuitBinding = Partial<Pick<Env, "DELIVERY_CIRCUIT">>;
/** A circuit's stub (typed through `Env`: ./circuit imports this module, so not from there). */
export type CircuitStub = ReturnType<Env["DELIVERY_CIRCUIT"]["get"]>;

/**
 * The Durable Object instance name of a destination's circuit.
 *
 * @example
 * ```ts
 * circuitName("eu"); // "circuit:eu"
 * ```
 */
export function circuitName(destination: string): string {
  return `circuit:${destination}`;
}

/**
 * A destination's circuit, or undefined when `DELIVERY_CIRCUIT` is not bound.
 *
 * @example
 * ```ts
 * const status = await circuitOf(env, "eu")?.status(Date.now());
 * ```
 */
export function circuitOf(env: CircuitBinding, destination: string): CircuitStub | undefined {
  const namespace = env.DELIVERY_CIRCUIT;
  return namespace?.get(namespace.idFromName(circuitName(destination)));
}
