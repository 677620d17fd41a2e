/**
 * call:state snapshots → the store and the engine. A snapshot is the whole call; one older than
 * the version held is ignored. In a group call it is also who we have media links to.
 */
import type { CallState as CallSnapshot } from "../../shared/protocol";
import type { CallMedia } from "../../shared/protocol";
import type { LocalMedia } from "../rtc/local-media";
import { currentCall, linksUnderway, moveToSfu, openCall, politeRule } from "./callController";
import { IDLE, useCall, type RosterEntry } from "./callStore";
import { useChat } from "./chat";
import { roleOf, useSpaces } from "./spaces";

export function applySnapshot(call: CallSnapshot): void {
  const s = useCall.getState();
  if (call.id !== s.callId || call.version <= s.version) return;
  const me = useChat.getState().meId;
  const others = call.participants.filter((p) => p.id !== me);
  const roster: Record<string, RosterEntry> = {};
  for (const p of others) roster[p.id] = { name: p.name, avatarUrl: p.avatarUrl, handRaised: p.handRaised, speaking: p.speaking, role: p.role };
  const mine = call.participants.find((p) => p.id === me);
  const host = mayHost(call, me) ? { locked: call.locked, waiting: call.lobby, roomId: call.roomId, hostId: call.hostId } : null;
  // A 1:1 call someone added a third person to moves into a new group DM: its chat and name follow.
  useCall.setState({ roster, invited: call.invited, conversationId: call.conversationId, version: call.version, callKind: call.kind, handRaised: mine?.handRaised ?? s.handRaised, host });
  // Past MESH_MAX the server moved the call to its SFU: so do we (once; it never moves back).
  if (call.topology === "sfu") moveToSfu(call.id);
  // A 1:1 call keeps its own events (call:media, participant-joined); groups follow the snapshot.
  const engine = currentCall();
  if (call.kind === "dm" || !engine) return;
  engine.sync(others.map((p) => p.id));
  for (const p of others) {
    engine.handleRemoteMedia(p.id, { audio: !p.muted, video: p.video, screen: p.screen });
    // Back from away (a new page or socket): their old link is dead, both ends start afresh.
    if (engine.participants.get(p.id)?.away && !p.away) engine.restart(p.id);
    else engine.setAway(p.id, p.away);
  }
}

/** A room's host, or a space's owner and admins in its voice channels (the server checks again). */
function mayHost(call: CallSnapshot, me: string | null): boolean {
  if (!me) return false;
  if (call.kind === "room") return call.hostId === me;
  if (call.kind !== "voice") return false;
  const role = roleOf(useSpaces.getState(), call.spaceId);
  return role === "owner" || role === "admin";
}

/** The SFU's loudest participant: their tile rings (our own voice is measured here). */
export function applySpeaker(callId: string, participantId: string | null): void {
  const s = useCall.getState();
  if (callId !== s.callId) return;
  const roster: Record<string, RosterEntry> = {};
  for (const [id, entry] of Object.entries(s.roster)) roster[id] = { ...entry, speaking: id === participantId };
  useCall.setState({ roster });
}

/** A reaction from someone in our call (ours comes back too), shown over their tile. */
export function applyReaction(callId: string, from: string, emoji: string): void {
  if (callId !== useCall.getState().callId) return;
  showReaction(from === useChat.getState().meId ? "self" : from, emoji);
}

let reactionKey = 0;

/** Shows a reaction over its sender's tile ("self" for ours) for as long as it floats. */
function showReaction(from: string, emoji: string): void {
  const key = ++reactionKey;
  useCall.setState((s) => ({ reactions: [...s.reactions, { key, from, emoji }].slice(-30) }));
  setTimeout(() => useCall.setState((s) => ({ reactions: s.reactions.filter((r) => r.key !== key) })), 3000);
}

/**
 * How long the call view waits for our media links to get going; past it the view shows anyway
 * (its links are slow, or nothing is published yet, so no answer to wait for).
 */
const VIEW_WAIT_MS = 1500;

/**
 * Takes part in `call` from now on: our media, links to everyone already in, then the call view.
 * The links come first: the view's first render holds the main thread (much longer on a loaded
 * machine), and every step of an offer and an answer, and every ICE candidate, waits for it — so
 * while the phase is "joining" the page stays as it was (a pre-join screen shows its Join still
 * in progress) until our publish offer and our answer to the SFU's subscribe offer are out with
 * their candidates. Resolves once the view is up (or the call went away meanwhile).
 */
export async function enterGroupCall(call: CallSnapshot, media: CallMedia, localMedia?: LocalMedia): Promise<void> {
  const me = useChat.getState().meId ?? "";
  useCall.setState({ ...IDLE, phase: "joining", callId: call.id, conversationId: call.conversationId, media, acceptedAt: Date.now(), callKind: call.kind });
  const engine = openCall(call.id, politeRule(me, call.hostId), media, localMedia, call.topology);
  engine.connect([]);
  applySnapshot(call);
  void engine.start();
  const othersPublish = call.participants.some((p) => p.id !== me);
  await Promise.race([linksUnderway(call.id, othersPublish), new Promise((r) => setTimeout(r, VIEW_WAIT_MS))]);
  if (currentCall() === engine && useCall.getState().phase === "joining") useCall.setState({ phase: "active" });
}
