/**
 * The transform's data tables (../transform/dataTables: the phone metadata and the country table),
 * read from the Worker's static assets (public/data/, the `ASSETS` binding) at the first webhook
 * of an isolate that needs them, instead of being part of its code: about 38 KiB gzipped less to
 * upload and to load at every cold start, for one read of two files per isolate.
 *
 * Read once per isolate: concurrent first callers share one read (one promise); a failed read is
 * forgotten, so the next webhook tries again. What is read is bounded ({@link MAX_DATA_TABLE_BYTES}
 * a file) and checked (../transform/dataTables `readDataTables`) as configuration is. When the
 * tables cannot be read, no lead goes on without them: the caller answers
 * {@link dataUnavailable} (503 with `Retry-After`, so Studio redelivers), and the reason is logged.
 *
 * @example
 * ```ts
 * await loadDataTables(c.env.ASSETS, runtime.log); // throws ApiError("data_unavailable") when it cannot
 * const result = transformWebhook(payload, config, config.destinations, now, source);
 * ```
 */
import { logLine, type LogSink } from "../core/log";
import {
  DATA_TABLE_PATHS,
  type DataTableName,
  type DataTables,
  dataTablesInstalled,
  installDataTables,
  readDataTables,
} from "../transform/dataTables";
import { ApiError } from "./errors";
import { readUpTo, strictUtf8 } from "./requestBody";

/** The most a data table file may be: the phone metadata is about 104 KiB, the country table about 90 KiB. */
export const MAX_DATA_TABLE_BYTES = 512 * 1024;

/** Seconds a caller is asked to wait before retrying when the tables could not be read. */
export const DATA_RETRY_AFTER_SECONDS = 30;

/** The assets binding ignores the host; any absolute URL names the file by its path. */
const ASSETS_ORIGIN = "https://assets.local";

/** Why the tables could not be read, in words fit for a log line (the files hold no personal data). */
export class DataTablesUnavailable extends Error {
  override name = "DataTablesUnavailable";
}

/** The assets binding as the loader uses it. */
export type AssetsBinding = Pick<Fetcher, "fetch">;

/** One table file's text, at most {@link MAX_DATA_TABLE_BYTES}; throws {@link DataTablesUnavailable}. */
async function readTableFile(assets: AssetsBinding, name: DataTableName): Promise<string> {
  const path = DATA_TABLE_PATHS[name];
  const response = await assets.fetch(new Request(`${ASSETS_ORIGIN}${path}`));
  if (!response.ok) {
    await response.body?.cancel();
    throw new DataTablesUnavailable(`${path}: status ${response.status}`);
  }
  const bytes = response.body === null ? new Uint8Array() : await readUpTo(response.body, MAX_DATA_TABLE_BYTES);
  if (bytes === undefined) throw new DataTablesUnavailable(`${path}: over ${MAX_DATA_TABLE_BYTES} bytes`);
  return strictUtf8.decode(bytes);
}

/** Both files read and checked; every failure as a {@link DataTablesUnavailable}. */
async function readFromAssets(assets: AssetsBinding | undefined): Promise<DataTables> {
  if (assets === undefined) throw new DataTablesUnavailable("no ASSETS binding");
  const [phoneMetadata, countryNames] = await Promise.all([
    readTableFile(assets, "phoneMetadata"),
    readTableFile(assets, "countryNames"),
  ]);
  try {
    return readDataTables({ phoneMetadata, countryNames });
  } catch (error) {
    throw new DataTablesUnavailable(`unreadable: ${(error as Error).message.slice(0, 200)}`);
  }
}

/**
 * A loader that reads the tables from the assets binding and hands them to `install`, once:
 * every call until the read settles shares it, and after a success no call reads again; after a
 * failure the next call reads anew. The isolate's own is {@link loadDataTables}; tests make their own.
 */
export function dataTablesLoader(
  install: (tables: DataTables) => void,
): (assets: AssetsBinding | undefined) => Promise<void> {
  let loading: Promise<void> | undefined;
  return (assets) => {
    loading ??= (async () => install(await readFromAssets(assets)))().catch((error: unknown) => {
      loading = undefined;
      throw error instanceof DataTablesUnavailable ? error : new DataTablesUnavailable((error as Error).name);
    });
    return loading;
  };
}

const loadOnce = dataTablesLoader(installDataTables);

/**
 * Resolves once this isolate has the data tables (at once when it has: installed by an earlier
 * call, or by a Node test from disk). When they cannot be read, logs why and throws the
 * {@link dataUnavailable} answer.
 */
export async function loadDataTables(assets: AssetsBinding | undefined, log: LogSink): Promise<void> {
  if (dataTablesInstalled()) return;
  try {
    await loadOnce(assets);
  } catch (error) {
    const reason = error instanceof DataTablesUnavailable ? error.message : "DataTablesUnavailable";
    logLine(log, { msg: "data_tables", level: "error", outcome: "data_unavailable", reason });
    throw dataUnavailable();
  }
}

/** The answer when the data tables cannot be read: 503 with `Retry-After`, so the sender tries again. */
export function dataUnavailable(): ApiError<"data_unavailable"> {
  return new ApiError("data_unavailable", "The relay could not read its data tables; retry later", {
    retryAfter: DATA_RETRY_AFTER_SECONDS,
  });
}
