/**
 * The call registry in Redis, for several nodes: a hash per call (the record as JSON, its
 * version, its users and its conversation), a key per user and per conversation naming their
 * call. Create, update and remove are Lua scripts looping over every user key they are given,
 * so "busy" checks and version compare-and-set are atomic across nodes. Keys carry a TTL as a
 * safety net: a call whose nodes all died does not keep its users busy forever. A call's SFU node
 * is a field of its own in the hash (placeSfu), so placing it races no version; a set per node
 * lists the calls placed there, for the survivor that takes a dead node's calls over. Two sorted
 * sets score each call with an away participant, and each call ringing someone, by since when,
 * written by the same scripts, so the grace and ring sweeps read the overdue ones without
 * scanning every call.
 */
import { RedisLink } from "../bus/redis-link";
import { members, type CallRecord } from "./model";
import { awaySince, rungSince, unplaced, type CallRegistry, type CreateResult, type Sweep, type UpdateResult } from "./registry";

// Keeps a call's score in a sorted set (away or rung since), or drops it there: ARGV of a script, '' for none.
const INDEX = `
local function index(key, since, id)
  if since == '' then redis.call('ZREM', key, id) else redis.call('ZADD', key, since, id) end
end`;

// KEYS: call, away set, rung set, conversation, then every user's key.
// ARGV: json, call id, ttl ms, users json, conversation id, away since or '', rung since or ''.
const CREATE = `${INDEX}
local c = redis.call('GET', KEYS[4])
if c then return {'conv', c} end
for i = 5, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then return {'busy', tostring(i - 5)} end
end
redis.call('HSET', KEYS[1], 'json', ARGV[1], 'v', '0', 'users', ARGV[4], 'conv', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
for i = 4, #KEYS do redis.call('SET', KEYS[i], ARGV[2], 'PX', ARGV[3]) end
index(KEYS[2], ARGV[6], ARGV[2])
index(KEYS[3], ARGV[7], ARGV[2])
return {'ok'}`;

// KEYS: call, away set, rung set, new conversation, old conversation, the n users of the new record, then users it drops.
// ARGV: expected version, json, ttl ms, call id, users json, n, conversation id, away since or '', rung since or ''.
const UPDATE = `${INDEX}
local v = redis.call('HGET', KEYS[1], 'v')
if not v or tonumber(v) ~= tonumber(ARGV[1]) then return {'conflict'} end
local owner = redis.call('GET', KEYS[4])
if owner and owner ~= ARGV[4] then return {'conflict'} end
local n = tonumber(ARGV[6])
for i = 6, 5 + n do
  local cur = redis.call('GET', KEYS[i])
  if cur and cur ~= ARGV[4] then return {'busy', tostring(i - 6)} end
end
redis.call('HSET', KEYS[1], 'json', ARGV[2], 'v', tostring(tonumber(v) + 1), 'users', ARGV[5], 'conv', ARGV[7])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if KEYS[5] ~= KEYS[4] and redis.call('GET', KEYS[5]) == ARGV[4] then redis.call('DEL', KEYS[5]) end
redis.call('SET', KEYS[4], ARGV[4], 'PX', ARGV[3])
for i = 6, 5 + n do redis.call('SET', KEYS[i], ARGV[4], 'PX', ARGV[3]) end
for i = 6 + n, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[4] then redis.call('DEL', KEYS[i]) end
end
index(KEYS[2], ARGV[8], ARGV[4])
index(KEYS[3], ARGV[9], ARGV[4])
return {'ok'}`;

// KEYS: call, away set, rung set, conversation, every user's key. ARGV: call id, expected version or '', users json.
const REMOVE = `
local cur = redis.call('HMGET', KEYS[1], 'json', 'v', 'users', 'sfu')
if not cur[1] then return false end
if cur[3] ~= ARGV[3] then return 'moved' end
if ARGV[2] ~= '' and tonumber(cur[2]) ~= tonumber(ARGV[2]) then return false end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
for i = 4, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
end
return {cur[1], cur[2], cur[4] or ''}`;

// KEYS: away or rung set. ARGV: before, limit, call key prefix. Drops calls gone by their TTL (no remove listed them out).
const DUE = `
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])) do
  if redis.call('EXISTS', ARGV[3] .. id) == 1 then table.insert(out, id) else redis.call('ZREM', KEYS[1], id) end
end
return out`;

// KEYS: call, the node's call set, the previous node's call set. ARGV: node or '' (nowhere), previous node or '', call id, ttl ms.
const PLACE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local cur = redis.call('HGET', KEYS[1], 'sfu') or ''
if cur ~= ARGV[2] then return cur end
if ARGV[1] == '' then redis.call('HDEL', KEYS[1], 'sfu') else
  redis.call('HSET', KEYS[1], 'sfu', ARGV[1])
  redis.call('SADD', KEYS[2], ARGV[3])
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
if ARGV[2] ~= '' and ARGV[2] ~= ARGV[1] then redis.call('SREM', KEYS[3], ARGV[3]) end
return ARGV[1]`;

export class RedisCallRegistry implements CallRegistry {
  #closed = false;

  private constructor(
    private readonly redis: RedisLink,
    private readonly prefix: string,
    private readonly ttlMs: number,
  ) {}

  static async connect(url: string, prefix: string, ttlMs = 12 * 3600_000): Promise<RedisCallRegistry> {
    const redis = await RedisLink.connect(url);
    return new RedisCallRegistry(redis, prefix, ttlMs);
  }

  #call = (id: string) => `${this.prefix}:call:${id}`;
  #user = (id: string) => `${this.prefix}:user:${id}`;
  #conv = (id: string) => `${this.prefix}:conv:${id}`;
  #placed = (node: string) => `${this.prefix}:sfu-calls:${node}`;
  /** Calls with an away participant, scored by since when (awaySince). */
  #away = () => `${this.prefix}:away`;
  /** Calls ringing someone, scored by since when (rungSince). */
  #rung = () => `${this.prefix}:rung`;
  #sweepClaim = (id: string, sweep: Sweep) => `${this.prefix}:sweep:${sweep}:${id}`;

  #eval(script: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    return this.redis.send("EVAL", [script, String(keys.length), ...keys, ...args.map(String)]);
  }

  #parse(json: unknown, version: unknown, sfuNode: unknown): CallRecord {
    const call: CallRecord = { ...(JSON.parse(String(json)) as CallRecord), version: Number(version) };
    if (typeof sfuNode === "string" && sfuNode !== "") call.sfuNode = sfuNode;
    return call;
  }

  /** The users and conversation stored with a call (to declare their keys to a script). */
  async #indexOf(id: string): Promise<{ version: number; users: string[]; conv: string } | undefined> {
    const [v, users, conv] = (await this.redis.send("HMGET", [this.#call(id), "v", "users", "conv"])) as (string | null)[];
    if (v == null || users == null || conv == null) return undefined;
    return { version: Number(v), users: JSON.parse(users) as string[], conv };
  }

  async create(call: CallRecord): Promise<CreateResult> {
    const users = members(call);
    const json = JSON.stringify({ ...unplaced(call), version: 0 });
    const keys = [this.#call(call.id), this.#away(), this.#rung(), this.#conv(call.conversationId), ...users.map(this.#user)];
    const [kind, arg] = (await this.#eval(CREATE, keys, [json, call.id, this.ttlMs, JSON.stringify(users), call.conversationId, awaySince(call) ?? "", rungSince(call) ?? ""])) as string[];
    if (kind === "ok") return { ok: true };
    return kind === "conv" ? { ok: false, existingCallId: arg! } : { ok: false, busyUserId: users[Number(arg)]! };
  }

  async get(id: string): Promise<CallRecord | undefined> {
    const [json, version, sfuNode] = (await this.redis.send("HMGET", [this.#call(id), "json", "v", "sfu"])) as (string | null)[];
    return json == null ? undefined : this.#parse(json, version, sfuNode);
  }

  async #pointed(key: string): Promise<CallRecord | undefined> {
    const id = (await this.redis.send("GET", [key])) as string | null;
    return id === null ? undefined : this.get(id);
  }

  /** Walks the call keys with SCAN (never KEYS, which blocks Redis); a key seen twice by SCAN is counted once. */
  async count() {
    const seen = new Set<string>();
    let cursor = "0";
    do {
      const [next, keys] = (await this.redis.send("SCAN", [cursor, "MATCH", `${this.prefix}:call:*`, "COUNT", "1000"])) as [string, string[]];
      for (const k of keys) seen.add(k);
      cursor = next;
    } while (cursor !== "0");
    return seen.size;
  }

  ofUser(userId: string) {
    return this.#pointed(this.#user(userId));
  }

  ofConversation(conversationId: string) {
    return this.#pointed(this.#conv(conversationId));
  }

  async update(call: CallRecord): Promise<UpdateResult> {
    // Read under the same version the script checks: if it moved in between, the script refuses.
    const before = await this.#indexOf(call.id);
    if (!before || before.version !== call.version) return { ok: false };
    const users = members(call);
    const dropped = before.users.filter((u) => !users.includes(u));
    const keys = [this.#call(call.id), this.#away(), this.#rung(), this.#conv(call.conversationId), this.#conv(before.conv), ...[...users, ...dropped].map(this.#user)];
    const json = JSON.stringify({ ...unplaced(call), version: call.version + 1 });
    const args = [call.version, json, this.ttlMs, call.id, JSON.stringify(users), users.length, call.conversationId, awaySince(call) ?? "", rungSince(call) ?? ""];
    const [kind, arg] = (await this.#eval(UPDATE, keys, args)) as string[];
    if (kind === "ok") return { ok: true };
    return kind === "busy" ? { ok: false, busyUserId: users[Number(arg)]! } : { ok: false };
  }

  async remove(id: string, expectedVersion?: number): Promise<CallRecord | undefined> {
    for (;;) {
      const before = await this.#indexOf(id);
      if (!before) return undefined;
      const keys = [this.#call(id), this.#away(), this.#rung(), this.#conv(before.conv), ...before.users.map(this.#user)];
      const out = (await this.#eval(REMOVE, keys, [id, expectedVersion ?? "", JSON.stringify(before.users)])) as [string, string, string] | "moved" | null;
      // Its users changed since they were read: read them again, so no user key is left behind.
      if (out === "moved") continue;
      if (!out) return undefined;
      // Not in the script: a call id left in the set only costs a survivor one read.
      if (out[2]) await this.redis.send("SREM", [this.#placed(out[2]), id]).catch(() => {});
      return this.#parse(out[0], out[1], out[2]);
    }
  }

  async placeSfu(callId: string, node: string | null, from: string | null): Promise<string | undefined> {
    const keys = [this.#call(callId), this.#placed(node ?? ""), this.#placed(from ?? "")];
    const out = (await this.#eval(PLACE, keys, [node ?? "", from ?? "", callId, this.ttlMs])) as string | null;
    return out || undefined;
  }

  async sfuCallsOf(node: string): Promise<string[]> {
    return (await this.redis.send("SMEMBERS", [this.#placed(node)])) as string[];
  }

  async awayBefore(before: number, limit: number): Promise<string[]> {
    return (await this.#eval(DUE, [this.#away()], [before, limit, this.#call("")])) as string[];
  }

  async rungBefore(before: number, limit: number): Promise<string[]> {
    return (await this.#eval(DUE, [this.#rung()], [before, limit, this.#call("")])) as string[];
  }

  async claimSweep(callId: string, sweep: Sweep, ms: number): Promise<boolean> {
    return (await this.redis.send("SET", [this.#sweepClaim(callId, sweep), "1", "NX", "PX", String(ms)])) !== null;
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.redis.close();
  }
}
