import type { KyselyPlugin } from "kysely";
import type { Config } from "../config";
import { postgresDialect, sqliteDialect } from "./dialects";
import { KyselyStore } from "./store";
import type { BreakerOptions } from "./pg-breaker";
import { batchesInFlight } from "./message-batcher";

/**
 * Opens the configured store and applies migrations (idempotent); PostgreSQL tells `told.onChange`
 * when it is marked down and up again, and `told.onHung` when it gives up a query on a hung connection.
 */
export async function openStore(database: Config["database"], plugins: KyselyPlugin[] = [], told: Pick<BreakerOptions, "onChange" | "onHung"> = {}): Promise<KyselyStore> {
  const dialect = database.kind === "sqlite" ? sqliteDialect(database.path).dialect : postgresDialect(database.url, database.poolSize, database.timeoutMs, told);
  const store = new KyselyStore(dialect, plugins, batchesInFlight(database));
  // A node that does not start must not keep a pool, nor a breaker probing, behind it.
  await store.migrate().catch(async (err) => {
    await store.close().catch(() => {});
    throw err;
  });
  return store;
}
