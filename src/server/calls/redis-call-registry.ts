/**
 * The call registry in Redis, for several nodes: a hash per call (the record as JSON, its
 * version and its users) and a key per user naming their call. Create, update and remove are
 * Lua scripts, so "busy" checks and version compare-and-set are atomic across nodes. Keys carry
 * a TTL as a safety net: a call whose nodes all died does not keep its users busy forever.
 */
import { RedisClient } from "bun";
import type { CallRecord, CallRegistry, CreateResult } from "./registry";

// KEYS: call, caller's key, callee's key. ARGV: json, call id, ttl ms, caller id, callee id.
const CREATE = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 1 end
if redis.call('EXISTS', KEYS[3]) == 1 then return 2 end
redis.call('HSET', KEYS[1], 'json', ARGV[1], 'v', '0', 'caller', ARGV[4], 'callee', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
redis.call('SET', KEYS[3], ARGV[2], 'PX', ARGV[3])
return 0`;

// KEYS: call, caller's key, callee's key. ARGV: expected version, json, ttl ms.
const UPDATE = `
local v = redis.call('HGET', KEYS[1], 'v')
if not v or tonumber(v) ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'json', ARGV[2], 'v', tostring(tonumber(v) + 1))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
return 1`;

// KEYS: call, caller's key, callee's key. ARGV: call id, expected version or ''.
const REMOVE = `
local cur = redis.call('HMGET', KEYS[1], 'json', 'v')
if not cur[1] then return false end
if ARGV[2] ~= '' and tonumber(cur[2]) ~= tonumber(ARGV[2]) then return false end
redis.call('DEL', KEYS[1])
for i = 2, 3 do
  if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
end
return {cur[1], cur[2]}`;

export class RedisCallRegistry implements CallRegistry {
  #closed = false;

  private constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly ttlMs: number,
  ) {}

  static async connect(url: string, prefix: string, ttlMs = 12 * 3600_000): Promise<RedisCallRegistry> {
    const redis = new RedisClient(url, { autoReconnect: true, enableOfflineQueue: true });
    await redis.connect();
    return new RedisCallRegistry(redis, prefix, ttlMs);
  }

  #call = (id: string) => `${this.prefix}:call:${id}`;
  #user = (id: string) => `${this.prefix}:user:${id}`;

  #eval(script: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    return this.redis.send("EVAL", [script, String(keys.length), ...keys, ...args.map(String)]);
  }

  #parse(json: unknown, version: unknown): CallRecord {
    return { ...(JSON.parse(String(json)) as CallRecord), version: Number(version) };
  }

  async create(call: CallRecord): Promise<CreateResult> {
    const json = JSON.stringify({ ...call, version: 0 });
    const keys = [this.#call(call.id), this.#user(call.callerId), this.#user(call.calleeId)];
    const busy = Number(await this.#eval(CREATE, keys, [json, call.id, this.ttlMs, call.callerId, call.calleeId]));
    if (busy === 0) return { ok: true };
    return { ok: false, busyUserId: busy === 1 ? call.callerId : call.calleeId };
  }

  async get(id: string): Promise<CallRecord | undefined> {
    const [json, version] = (await this.redis.send("HMGET", [this.#call(id), "json", "v"])) as [string | null, string | null];
    return json === null ? undefined : this.#parse(json, version);
  }

  async ofUser(userId: string): Promise<CallRecord | undefined> {
    const id = (await this.redis.send("GET", [this.#user(userId)])) as string | null;
    return id === null ? undefined : this.get(id);
  }

  async update(call: CallRecord): Promise<boolean> {
    const keys = [this.#call(call.id), this.#user(call.callerId), this.#user(call.calleeId)];
    const json = JSON.stringify({ ...call, version: call.version + 1 });
    return Number(await this.#eval(UPDATE, keys, [call.version, json, this.ttlMs])) === 1;
  }

  async remove(id: string, expectedVersion?: number): Promise<CallRecord | undefined> {
    // Caller and callee never change, so reading them first keeps every key declared to the script.
    const [caller, callee] = (await this.redis.send("HMGET", [this.#call(id), "caller", "callee"])) as [string | null, string | null];
    if (caller === null || callee === null) return undefined;
    const out = (await this.#eval(REMOVE, [this.#call(id), this.#user(caller), this.#user(callee)], [id, expectedVersion ?? ""])) as [string, string] | null;
    return out ? this.#parse(out[0], out[1]) : undefined;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.redis.close();
  }
}
