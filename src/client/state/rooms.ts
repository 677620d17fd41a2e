/**
 * Meetings (rooms by link): the user's own rooms (create, list, delete) and the preview of the
 * room a `/r/<slug>` page shows. Room names are kept by conversation id so the call view can
 * name a room's call.
 */
import { create } from "zustand";
import type { Room, RoomPreview } from "../../shared/calls";
import { ApiError, api, describeError } from "../api";

/** What a `/r/<slug>` page knows of its room. */
export type PreviewState =
  | { status: "loading" }
  | { status: "ready"; room: RoomPreview }
  /** No room at this link (never was, or deleted). */
  | { status: "missing" }
  | { status: "error"; message: string };

interface RoomsState {
  /** The user's rooms, newest first; null until loaded. */
  mine: Room[] | null;
  mineError: string | null;
  /** By slug. */
  previews: Record<string, PreviewState>;
  /** Room names by conversation id (a room's call is named after its room). */
  names: Record<string, string>;
  /** The "New meeting" dialog. */
  newOpen: boolean;
}

export const useRooms = create<RoomsState>()(() => ({ mine: null, mineError: null, previews: {}, names: {}, newOpen: false }));

export function setNewMeetingOpen(open: boolean): void {
  useRooms.setState({ newOpen: open });
}

function remember(rooms: { conversationId: string; name: string }[]): void {
  useRooms.setState((s) => ({ names: { ...s.names, ...Object.fromEntries(rooms.map((r) => [r.conversationId, r.name])) } }));
}

export async function loadMyRooms(): Promise<void> {
  try {
    const { rooms } = await api.get<{ rooms: Room[] }>("/api/rooms");
    useRooms.setState({ mine: rooms, mineError: null });
    remember(rooms);
  } catch (err) {
    useRooms.setState({ mineError: describeError(err) });
  }
}

export async function createRoom(name: string): Promise<Room> {
  const { room } = await api.post<{ room: Room }>("/api/rooms", { name });
  useRooms.setState((s) => ({ mine: [room, ...(s.mine ?? []).filter((r) => r.id !== room.id)] }));
  remember([room]);
  return room;
}

/** Deletes one of the user's rooms; a call running in it ends for everyone. */
export async function deleteRoom(slug: string): Promise<void> {
  await api.del(`/api/rooms/${encodeURIComponent(slug)}`);
  useRooms.setState((s) => ({ mine: (s.mine ?? []).filter((r) => r.slug !== slug), previews: { ...s.previews, [slug]: { status: "missing" } } }));
}

function setPreview(slug: string, p: PreviewState): void {
  useRooms.setState((s) => ({ previews: { ...s.previews, [slug]: p } }));
}

/**
 * (Re)reads what the link shows: the room's name, host and how many are in its call. `quietly`:
 * a refresh, whose failure (other than the room being gone) keeps the preview shown.
 */
export async function loadPreview(slug: string, quietly = false): Promise<void> {
  if (!useRooms.getState().previews[slug]) setPreview(slug, { status: "loading" });
  try {
    const { room } = await api.get<{ room: RoomPreview }>(`/api/rooms/${encodeURIComponent(slug)}`);
    setPreview(slug, { status: "ready", room });
    remember([room]);
  } catch (err) {
    if (err instanceof ApiError && err.code === "NOT_FOUND") setPreview(slug, { status: "missing" });
    else if (!quietly || useRooms.getState().previews[slug]?.status !== "ready") setPreview(slug, { status: "error", message: describeError(err) });
  }
}

/** The slug of a `/r/<slug>` path, or null. Loose on purpose: a malformed slug gets the "invalid link" page. */
export function roomSlugOf(path: string): string | null {
  const m = /^\/r\/([^/]+)\/?$/.exec(path);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return m[1]!;
  }
}
