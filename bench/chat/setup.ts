/** Fixtures through the public API: users, friendships (DMs), a group, and a space whose #general every member joined. */
import { api, fmt, mapLimit, register, type BenchUser } from "../lib/harness";
import { PASSWORD, type Options } from "./options";

export interface Fixture {
  dm: { a: BenchUser; b: BenchUser; conversationId: string };
  pairs: Array<{ sender: BenchUser; receiver: BenchUser; conversationId: string }>;
  group: { owner: BenchUser; members: BenchUser[]; conversationId: string };
}

export async function befriend(base: string, a: BenchUser, b: BenchUser): Promise<string> {
  const { request } = await api<{ request: { id: string } }>(base, a.cookie, "/api/friends/requests", { json: { username: b.username }, expect: [201] });
  const { conversationId } = await api<{ conversationId: string }>(base, b.cookie, `/api/friends/requests/${request.id}/accept`, { method: "POST", expect: [200] });
  return conversationId;
}

/** Users for phases a–c: one DM, the throughput pairs, and a group of o.groupSize. */
export async function setup(base: string, o: Options): Promise<Fixture> {
  const names: string[] = ["dm_a", "dm_b"];
  for (let i = 0; i < o.pairs; i++) names.push(`tp_s${i}`, `tp_r${i}`);
  names.push("fan_owner");
  for (let i = 1; i < o.groupSize; i++) names.push(`fan_m${i}`);
  const users = await mapLimit(names, 4, (n) => register(base, `bench_${n}`, PASSWORD));
  const by = new Map(names.map((n, i) => [n, users[i]!]));
  const u = (n: string) => by.get(n)!;

  const dmConv = await befriend(base, u("dm_a"), u("dm_b"));
  const pairs = await mapLimit(
    Array.from({ length: o.pairs }, (_, i) => i),
    4,
    async (i) => ({ sender: u(`tp_s${i}`), receiver: u(`tp_r${i}`), conversationId: await befriend(base, u(`tp_s${i}`), u(`tp_r${i}`)) }),
  );
  const owner = u("fan_owner");
  const members = Array.from({ length: o.groupSize - 1 }, (_, i) => u(`fan_m${i + 1}`));
  await mapLimit(members, 4, (m) => befriend(base, owner, m));
  const { conversation } = await api<{ conversation: { id: string; members: unknown[] } }>(base, owner.cookie, "/api/conversations", {
    json: { memberIds: members.map((m) => m.id), name: "bench fan-out" },
    expect: [201],
  });
  if (conversation.members.length !== o.groupSize) throw new Error(`group has ${conversation.members.length} members, expected ${o.groupSize}`);
  return { dm: { a: u("dm_a"), b: u("dm_b"), conversationId: dmConv }, pairs, group: { owner, members, conversationId: conversation.id } };
}

export interface ChannelFixture {
  owner: BenchUser;
  members: BenchUser[];
  channelId: string;
  /** Wall seconds: registering every member, and everyone but the owner accepting the invite. */
  registerS: number;
  joinS: number;
}

/**
 * A space of o.chMembers (its owner included): register everyone (argon2id, the server hashes
 * HASH_CONCURRENCY at a time, so more requests in flight only queue), create the space, one invite
 * without limits, everyone else accepts it. Returns the space's #general.
 */
export async function setupChannel(base: string, o: Options, log: (s: string) => void): Promise<ChannelFixture> {
  const t0 = performance.now();
  let done = 0;
  const users = await mapLimit(
    Array.from({ length: o.chMembers }, (_, i) => i),
    8,
    async (i) => {
      const u = await register(base, `bench_ch${i}`, PASSWORD);
      if (++done % 250 === 0) log(`  registered ${done}/${o.chMembers} (${fmt((performance.now() - t0) / 1000, 0)} s)`);
      return u;
    },
  );
  const registerS = (performance.now() - t0) / 1000;
  const [owner, ...members] = users as [BenchUser, ...BenchUser[]];
  const t1 = performance.now();
  const { space } = await api<{ space: { id: string; channels: Array<{ id: string; name: string; kind: string }> } }>(base, owner.cookie, "/api/spaces", {
    json: { name: "bench channel fan-out" },
    expect: [201],
  });
  const general = space.channels.find((c) => c.kind === "text");
  if (!general) throw new Error("the new space has no text channel");
  const { invite } = await api<{ invite: { code: string } }>(base, owner.cookie, `/api/spaces/${space.id}/invites`, { json: {}, expect: [201] });
  await mapLimit(members, 8, (m) => api(base, m.cookie, `/api/invites/${invite.code}/accept`, { method: "POST", expect: [200] }));
  const joinS = (performance.now() - t1) / 1000;
  const { space: after } = await api<{ space: { memberCount: number } }>(base, owner.cookie, `/api/spaces/${space.id}`);
  if (after.memberCount !== o.chMembers) throw new Error(`space has ${after.memberCount} members, expected ${o.chMembers}`);
  return { owner, members, channelId: general.id, registerS, joinS };
}
