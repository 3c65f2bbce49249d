/**
 * The words of holding: why a destination's events wait (a {@link HoldCause}), what its circuit
 * looks like from outside (a {@link CircuitStatus}), and which Durable Object instance is its
 * circuit ({@link circuitName}, {@link circuitOf}). The circuit itself is ./circuit.
 */

import type { CircuitBindings } from "./bindings";
import type { GraphFailure } from "./graph";
import type { MetaRefusal } from "./metaErrors";

/** Why a destination's events are held. */
export type HoldCause =
  /** Meta refused the destination's configuration (token, pixel, permissions, version). */
  | { kind: "meta_refused"; failure: GraphFailure }
  /** The destination's access-token secret is unset. */
  | { kind: "no_token" }
  /** No destination of that name in the settings. */
  | { kind: "unknown_destination" }
  /** The settings cannot be read at all (a ConfigError). */
  | { kind: "settings_unusable" };

/**
 * Meta's refusal as a circuit keeps it: a {@link MetaRefusal}. The circuit's own name for it,
 * kept while ./circuit imports it.
 */
export type CircuitFailure = MetaRefusal;

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
}

/**
 * The Durable Object instance name of a destination's circuit.
 *
 * @example
 * ```ts
 * env.DELIVERY_CIRCUIT.get(env.DELIVERY_CIRCUIT.idFromName(circuitName("eu")));
 * ```
 */
export function circuitName(destination: string): string {
  return `circuit:${destination}`;
}

/** A circuit's stub, as the generated `Env` types it (naming ./circuit here would make a cycle). */
export type CircuitStub = ReturnType<NonNullable<CircuitBindings["DELIVERY_CIRCUIT"]>["get"]>;

/**
 * A destination's circuit, when `DELIVERY_CIRCUIT` is bound.
 *
 * @example
 * ```ts
 * await circuitOf(env, "eu")?.status(Date.now());
 * ```
 */
export function circuitOf(env: CircuitBindings, destination: string): CircuitStub | undefined {
  const namespace = env.DELIVERY_CIRCUIT;
  return namespace?.get(namespace.idFromName(circuitName(destination)));
}
