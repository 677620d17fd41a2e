/**
 * Reordering a space's channels. A move shows at once and is sent as the space's whole order;
 * moves made while a request is out are sent together when it returns, so requests never race.
 * A refusal puts back the order the server last confirmed and says why.
 */
import type { Channel, Space } from "../../shared/protocol";
import { api, describeError } from "../api";
import { sortedChannels, spaceById, useSpaces, withPositions } from "./spaces";
import { useUi } from "./ui";

interface Sync {
  confirmed: Record<string, number>;
  dirty: boolean;
}

const syncs = new Map<string, Sync>();

/** Our reorder is unconfirmed: echoes of an earlier request must not undo later moves. */
export function reorderPending(spaceId: string): boolean {
  return syncs.has(spaceId);
}

function positionsOf(channels: Pick<Channel, "id" | "position">[]): Record<string, number> {
  return Object.fromEntries(channels.map((c) => [c.id, c.position]));
}

function wholeOrder(space: Space): string[] {
  return [...sortedChannels(space, "text"), ...sortedChannels(space, "voice")].map((c) => c.id);
}

/** Moves a channel to `toIndex` among the channels of its kind; returns where it went, or null when nothing changes. */
export function moveChannel(spaceId: string, channelId: string, toIndex: number): number | null {
  const space = spaceById(useSpaces.getState(), spaceId);
  const channel = space?.channels.find((c) => c.id === channelId);
  if (!space || !channel) return null;
  const group = sortedChannels(space, channel.kind).map((c) => c.id);
  const from = group.indexOf(channelId);
  const to = Math.max(0, Math.min(group.length - 1, toIndex));
  if (from === to) return null;
  group.splice(from, 1);
  group.splice(to, 0, channelId);
  const rest = sortedChannels(space, channel.kind === "text" ? "voice" : "text").map((c) => c.id);
  const order = channel.kind === "text" ? [...group, ...rest] : [...rest, ...group];
  let sync = syncs.get(spaceId);
  const start = !sync;
  if (!sync) syncs.set(spaceId, (sync = { confirmed: positionsOf(space.channels), dirty: false }));
  sync.dirty = true;
  useSpaces.setState((s) => withPositions(s, spaceId, Object.fromEntries(order.map((id, i) => [id, i]))));
  if (start) void send(spaceId, sync);
  return to;
}

async function send(spaceId: string, sync: Sync): Promise<void> {
  try {
    while (sync.dirty) {
      sync.dirty = false;
      const space = spaceById(useSpaces.getState(), spaceId);
      if (!space) return;
      const { channels } = await api.post<{ channels: Channel[] }>(`/api/spaces/${encodeURIComponent(spaceId)}/channels/reorder`, { channelIds: wholeOrder(space) });
      sync.confirmed = positionsOf(channels);
      if (!sync.dirty) useSpaces.setState((s) => withPositions(s, spaceId, sync.confirmed));
    }
  } catch (err) {
    useSpaces.setState((s) => withPositions(s, spaceId, sync.confirmed));
    useUi.getState().toast(`Couldn't reorder channels: ${describeError(err)}`, "error");
  } finally {
    syncs.delete(spaceId);
  }
}
