/**
 * TEMPORARY — the lead replaces this file. Assembles the console's {@link ConsoleModel} from the
 * settings, the metrics store, the circuits, the dead letters and Meta's Dataset Quality answers.
 * Until that lands, it answers the sample model, so the page, its routes and its browser test can
 * be built against the data model on main.
 *
 * @example
 * ```ts
 * const model = await buildConsoleModel(c.env, Date.now());
 * ```
 */
import type { AdminBindings } from "../admin";
import { type ConsoleModel, sampleConsoleModel } from "./model";

/**
 * The console's data as of `now` (ms). TEMPORARY: the sample model, whatever `env` holds.
 *
 * @example
 * ```ts
 * (await buildConsoleModel(env, Date.now())).destinations.map((d) => d.name);
 * ```
 */
export async function buildConsoleModel(_env: AdminBindings, now: number): Promise<ConsoleModel> {
  return sampleConsoleModel(now);
}
