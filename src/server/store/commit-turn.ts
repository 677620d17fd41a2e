/**
 * The later of two message batches in flight (PostgreSQL only) has written its rows and waits,
 * its transaction open, for the earlier batch to commit. PostgreSQL cannot see that wait. Whoever
 * needs a row the batch has locked (deleting its channel or erasing its author: their foreign-key
 * locks; the same send arriving on another node: its unique key) would wait for the earlier
 * batch too, and for seconds when that one is slow, or a cycle through the hidden wait until a
 * timeout: the earlier batch waiting for them (they hold a row it needs), or both nodes' batches
 * each waiting for the other's in crossed order. So a batch waits only while nobody waits on it.
 */
import { sql, type Transaction } from "kysely";
import type { Database } from "./schema";

/** How often a waiting batch asks whether anyone waits on its locks: the longest anyone does. */
const WAITERS_POLL_MS = 10;

/** The longest a batch waits for the earlier one at all (a cycle through something other than a lock). */
const COMMIT_TURN_MS = 5000;

/** The batch gave way: nothing of it is stored, its sends go again once the earlier batch settled. */
export class TurnGivenUp extends Error {}

/** Whether a backend waits for a lock this transaction holds (pg_locks and pg_blocking_pids need no privilege). */
const blocksOthers = sql<{ blocking: boolean }>`select exists (select 1 from pg_locks where not granted and pg_backend_pid() = any(pg_blocking_pids(pid))) as blocking`;

/** True once `previous` settled, false after `ms` (the timer is cleared either way). */
async function settledWithin(previous: Promise<void>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([previous.then(() => true), new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Returns once the earlier batch (`previous`) settled; throws TurnGivenUp, which rolls `tx`
 * back, as soon as another transaction waits on it, or after COMMIT_TURN_MS.
 */
export async function awaitTurn(tx: Transaction<Database>, previous: Promise<void>): Promise<void> {
  const deadline = performance.now() + COMMIT_TURN_MS;
  while (!(await settledWithin(previous, WAITERS_POLL_MS))) {
    if (performance.now() > deadline) throw new TurnGivenUp("the earlier batch did not commit in time");
    if ((await blocksOthers.execute(tx)).rows[0]?.blocking) throw new TurnGivenUp("another transaction waits on this batch's rows");
  }
}
