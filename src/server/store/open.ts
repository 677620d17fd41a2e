import type { KyselyPlugin } from "kysely";
import type { Config } from "../config";
import { postgresDialect, sqliteDialect } from "./dialects";
import { KyselyStore } from "./store";

/** Opens the configured store and applies migrations (idempotent). */
export async function openStore(database: Config["database"], plugins: KyselyPlugin[] = []): Promise<KyselyStore> {
  const dialect = database.kind === "sqlite" ? sqliteDialect(database.path).dialect : postgresDialect(database.url, database.poolSize);
  const store = new KyselyStore(dialect, plugins);
  await store.migrate();
  return store;
}
