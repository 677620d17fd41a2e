import type { Config } from "../config";
import { postgresDialect, sqliteDialect } from "./dialects";
import { KyselyStore } from "./store";

/** Opens the configured store and applies migrations (idempotent). */
export async function openStore(database: Config["database"]): Promise<KyselyStore> {
  const dialect = database.kind === "sqlite" ? sqliteDialect(database.path).dialect : postgresDialect(database.url);
  const store = new KyselyStore(dialect);
  await store.migrate();
  return store;
}
