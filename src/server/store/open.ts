import type { KyselyPlugin } from "kysely";
import type { Config } from "../config";
import { postgresDialect, sqliteDialect } from "./dialects";
import { KyselyStore } from "./store";
import { batchesInFlight } from "./message-batcher";

/** Opens the configured store and applies migrations (idempotent). */
export async function openStore(database: Config["database"], plugins: KyselyPlugin[] = []): Promise<KyselyStore> {
  const dialect = database.kind === "sqlite" ? sqliteDialect(database.path).dialect : postgresDialect(database.url, database.poolSize);
  const store = new KyselyStore(dialect, plugins, batchesInFlight(database));
  await store.migrate();
  return store;
}
