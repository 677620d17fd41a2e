/**
 * The raw PostgreSQL insert rate a persisted message is measured against: one row per
 * transaction (autocommit), `workers` callers on a pool of `pool` connections, into a copy of
 * the messages table (`LIKE messages INCLUDING ALL`: same columns, defaults and indexes — the
 * unique (author, clientId) index included — without the foreign keys) in the same database the
 * server under test uses. No Parley code runs: Bun.SQL straight to the server.
 */
import { SQL } from "bun";
import { machineBusySeconds, postgresCpuSeconds, selfCpuSeconds, sleep } from "./harness";

export interface RawInsertResult {
  perS: number;
  rows: number;
  pool: number;
  workers: number;
  /** CPU % of one core over the measured window: PostgreSQL, this process (the client), the rest. */
  cpu: { db: number; gen: number; other: number };
}

export async function rawInsertRate(url: string, o: { pool: number; workers: number; warmS: number; seconds: number; content: string }): Promise<RawInsertResult> {
  const sql = new SQL({ url, max: o.pool });
  try {
    await sql.unsafe("drop table if exists raw_insert_bench");
    await sql.unsafe("create table raw_insert_bench (like messages including all)");
    let measuring = false;
    let stop = false;
    let rows = 0;
    let seq = 0;
    const worker = async (w: number) => {
      while (!stop) {
        const n = seq++;
        const id = `raw${n.toString().padStart(12, "0")}`;
        await sql`insert into raw_insert_bench (id, conversation_id, author_id, client_id, kind, content, reply_to_id, created_at, mentions_everyone)
                  values (${id}, ${"raw-conversation"}, ${`raw-author-${w}`}, ${`c${n}`}, ${"text"}, ${o.content + n}, ${null}, ${new Date().toISOString()}, ${0})`;
        if (measuring) rows++;
      }
    };
    const running = Array.from({ length: o.workers }, (_, w) => worker(w));
    await sleep(o.warmS * 1000);
    const t0 = performance.now();
    const d0 = postgresCpuSeconds();
    const g0 = selfCpuSeconds();
    const a0 = machineBusySeconds();
    measuring = true;
    await sleep(o.seconds * 1000);
    measuring = false;
    const wallS = (performance.now() - t0) / 1000;
    const d = postgresCpuSeconds() - d0;
    const g = selfCpuSeconds() - g0;
    const a = machineBusySeconds() - a0;
    stop = true;
    await Promise.all(running);
    await sql.unsafe("drop table raw_insert_bench");
    const p = (x: number) => (x / wallS) * 100;
    return { perS: rows / wallS, rows, pool: o.pool, workers: o.workers, cpu: { db: p(d), gen: p(g), other: Math.max(0, p(a - d - g)) } };
  } finally {
    await sql.close();
  }
}
