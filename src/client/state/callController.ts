/**
 * Owns the one Call of this tab, the socket it speaks through and the signals that arrive before
 * it exists. Opening a call wires its events into the store for the call's lifetime: closing it
 * unbinds them first, so a call that is going away can never write over its successor.
 */
import type { CallMedia, ServerEvent } from "../../shared/protocol";
import type { Topology } from "../../shared/calls";
import type { SfuLayer } from "../../shared/sfu";
import { Call } from "../rtc/call";
import { fetchIceConfig } from "../rtc/ice-config";
import type { LocalMedia } from "../rtc/local-media";
import { SfuTransport, type SfuDiagnostics } from "../rtc/transports/sfu";
import type { RecordingState, RtcEvent, SessionFrame } from "../rtc/types";
import type { ParleySocket } from "../socket";
import { useCall, type CallState } from "./callStore";
import { isMine, useChat } from "./chat";

let socket: ParleySocket | null = null;
/** `sfu`: the call's transport once it goes through the server's SFU (null while a mesh). */
let current: { call: Call; unbind: (() => void)[]; sfu: SfuTransport | null } | null = null;

type SfuEvent = Extract<ServerEvent, { type: "sfu:signal" }>;

export function bindSocket(s: ParleySocket | null): void {
  socket = s;
}

export function callSocket(): ParleySocket | null {
  return socket;
}

export function currentCall(): Call | null {
  return current?.call ?? null;
}

/** The call this tab is in survives a reload (sessionStorage is per tab); other tabs must not take it over. */
const TAB_KEY = "parley.callId";

export function tabCallId(): string | null {
  try {
    return sessionStorage.getItem(TAB_KEY);
  } catch {
    return null;
  }
}

function rememberCall(callId: string | null): void {
  try {
    if (callId) sessionStorage.setItem(TAB_KEY, callId);
    else sessionStorage.removeItem(TAB_KEY);
  } catch {
    /* storage disabled: a reload then simply loses the call */
  }
}

function send(frame: SessionFrame): void {
  // Signaling is fire-and-forget: anything lost while offline is redone by the fresh negotiation after call:resume.
  if (frame.type !== "call:media") return socket?.notify(frame);
  const { callKind } = useCall.getState();
  // Group calls carry media state in the participant's flags (call:update); call:media is 1:1's.
  const update = { type: "call:update" as const, callId: frame.callId, muted: !frame.audio, video: frame.video, screen: frame.screen };
  void socket?.request(callKind && callKind !== "dm" ? update : frame).catch(() => {});
}

/** Counts the call conversation's new messages from others while the chat panel is closed. */
function countUnread(): () => void {
  return useChat.subscribe((now, prev) => {
    const { conversationId, chatOpen, chatSince } = useCall.getState();
    if (!conversationId || chatOpen) return;
    const before = prev.messages[conversationId] ?? [];
    const fresh = (now.messages[conversationId] ?? []).filter(
      (m) => !isMine(m, now.meId) && m.kind !== "system" && Date.parse(m.createdAt) >= chatSince && !before.some((b) => b.id === m.id),
    );
    if (fresh.length) useCall.setState((s) => ({ chatUnread: s.chatUnread + fresh.length }));
  });
}

/** Signals for a call this page does not know yet, kept briefly (see holdSignal). */
let held: { at: number; e: RtcEvent | SfuEvent }[] = [];

/**
 * After a reload another participant (or the SFU) may offer before our call:resume reply
 * arrives: keep such signals for a few seconds and hand them to the call once it exists.
 */
export function holdSignal(e: RtcEvent | SfuEvent): void {
  const now = Date.now();
  held = [...held.filter((h) => now - h.at < 10_000), { at: now, e }].slice(-100);
}

/**
 * Who yields on each mesh link, a rule both ends compute alike: the call's host (a DM's caller,
 * a group call's starter) makes the offers, everyone else orders by id. It holds from the first
 * ring on, so a 1:1 call that grows into a group keeps its link as it was made.
 */
export function politeRule(me: string, hostId: string | null): (other: string) => boolean {
  return (other) => (other === hostId ? true : me === hostId ? false : me < other);
}

type Patch = Partial<CallState> | ((s: CallState) => Partial<CallState>);

/** SFU transports this page has made (diagnostics: each start-over makes one). */
let sfuTransports = 0;

function sfuTransport(callId: string): SfuTransport {
  sfuTransports++;
  const t: SfuTransport = new SfuTransport({
    iceConfig: fetchIceConfig,
    send: (signal) => socket?.notify({ type: "sfu:signal", callId, signal }),
    lost: () => recoverSfu(callId, t),
  });
  return t;
}

/** The first start-over of dead SFU links waits this long; each within RECOVERY_RESET_MS of the last twice as long, up to RECOVERY_MAX_MS. */
const RECOVERY_FIRST_MS = 500;
const RECOVERY_MAX_MS = 30_000;
const RECOVERY_RESET_MS = 60_000;
let lastRecovery = { at: 0, delay: 0 };

/**
 * An SFU link of the call died: fresh links, as when the room moves (moveToSfu). Their new
 * certificate tells the server to start our place in the room over (SfuBridge), while the call
 * and everyone in it stay; the tiles show "reconnecting" meanwhile. Backing off keeps an SFU
 * that fails every link from being flooded with joins.
 */
function recoverSfu(callId: string, dead: SfuTransport): void {
  const now = Date.now();
  const delay = now - lastRecovery.at < RECOVERY_RESET_MS ? Math.min(lastRecovery.delay * 2, RECOVERY_MAX_MS) : RECOVERY_FIRST_MS;
  lastRecovery = { at: now + delay, delay };
  setTimeout(() => {
    // Replaced meanwhile (a move, a new socket) or the call ended: nothing left to recover.
    if (current?.sfu === dead) moveToSfu(callId, true);
  }, delay);
}

/**
 * Puts the current call on the SFU (the server moved it past MESH_MAX): the mesh links close,
 * our tracks go to the SFU, the participants and their tiles stay. `fresh`: new SFU links even
 * if it is already there (our socket was replaced, and with it our place in the SFU room).
 */
export function moveToSfu(callId: string, fresh = false): void {
  if (!current || current.call.id !== callId || (current.sfu && !fresh)) return;
  const t = (current.sfu = sfuTransport(callId));
  current.call.switchTransport(() => t);
}

/** The SFU's signal for our call; its arrival alone says the call went through the SFU. */
export function handleSfuSignal(e: SfuEvent): void {
  if (!current || current.call.id !== e.callId) return holdSignal(e);
  moveToSfu(e.callId);
  void current.sfu?.handleSfu(e.signal);
}

/**
 * Resolves once the SFU links of call `callId` have sent their first signals (see
 * SfuTransport.underway); at once for a mesh or another call.
 */
export function linksUnderway(callId: string, subscribe: boolean): Promise<void> {
  return current?.call.id === callId && current.sfu ? current.sfu.underway(subscribe) : Promise.resolve();
}

/** Which layer of `peer`'s camera or screen we receive (SFU calls only; a mesh sends everything). */
export function chooseLayer(peer: string, source: "camera" | "screen", layer: SfuLayer): void {
  current?.sfu?.setLayer(peer, source, layer);
}

function deliver(call: Call, e: RtcEvent | SfuEvent): void {
  if (e.type === "sfu:signal") handleSfuSignal(e);
  else call.handleSignal(e);
}

/**
 * A Call wired into the store, replacing any other. `polite` decides who yields on each mesh
 * link; `localMedia`, already open (a pre-join screen's), is handed to the call, which then owns
 * it; `topology` "sfu" starts it on the SFU (a call that grew past the mesh before we came).
 */
export function openCall(callId: string, polite: (remoteId: string) => boolean, media: CallMedia, localMedia?: LocalMedia, topology: Topology = "p2p"): Call {
  void closeCall();
  const sfu = topology === "sfu" ? sfuTransport(callId) : null;
  const call = new Call({ callId, media, polite, iceConfig: fetchIceConfig, send, localMedia, transport: sfu ? () => sfu : undefined });
  const set = (patch: Patch) => useCall.setState(patch);
  const e = call.events;
  const unbind = [
    e.on("state", ({ next }) => set({ engine: next })),
    e.on("local-stream", (localStream) => set({ localStream })),
    e.on("local-screen", (localScreen) => set({ localScreen })),
    e.on("local-media", (local) => set({ local })),
    e.on("local-speaking", (localSpeaking) => {
      set({ localSpeaking });
      // People outside a voice channel see who speaks in it (voice:state); inside, everyone measures for themselves.
      if (useCall.getState().callKind === "voice") void socket?.request({ type: "call:update", callId, speaking: localSpeaking }).catch(() => {});
    }),
    e.on("participant", (p) => set((s) => ({ participants: { ...s.participants, [p.id]: p } }))),
    e.on("participant-left", (id) =>
      set((s) => {
        const { [id]: _gone, ...rest } = s.participants;
        return { participants: rest };
      }),
    ),
    countUnread(),
    e.on("recording", (recording) =>
      set((s) => {
        if (s.recording.status === "done" && recording.status !== "done") URL.revokeObjectURL(s.recording.url);
        return { recording };
      }),
    ),
    e.on("devices", (devices) => set({ devices })),
    e.on("error", (notice) => set({ notice })),
  ];
  current = { call, unbind, sfu };
  useCall.setState({ chatSince: Date.now() });
  rememberCall(callId);
  const early = held.filter((h) => h.e.callId === callId);
  held = held.filter((h) => h.e.callId !== callId);
  // The transport keeps them until it has a link to their sender.
  for (const h of early) deliver(call, h.e);
  return call;
}

/** Ends the current call's engine (unbound from the store first); a finished recording comes back. */
export async function closeCall(): Promise<RecordingState | null> {
  const was = current;
  if (!was) return null;
  current = null;
  rememberCall(null);
  for (const off of was.unbind) off();
  return was.call.close();
}

declare global {
  interface Window {
    /** Read-only diagnostics: the live peer connections of the current call (used by the browser tests). */
    __parleyCall?: {
      readonly callId: string | null;
      peers(): { channel: "main"; peer: string; pc: RTCPeerConnection; sources: Record<string, "microphone" | "camera" | "screen"> }[];
      /** Our SFU publish link (null in a mesh). */
      publisher(): RTCPeerConnection | null;
      /** The SFU links' state (null in a mesh); `made`: SFU transports this page made so far (a start-over makes one). */
      sfu(): (SfuDiagnostics & { made: number }) | null;
    };
  }
}

if (typeof window !== "undefined") {
  Object.defineProperty(window, "__parleyCall", {
    // Not writable; configurable only so a hot module reload can define it again.
    configurable: true,
    value: Object.freeze({
      get callId() {
        return useCall.getState().callId;
      },
      peers: () => (current?.call.links() ?? []).map((l) => ({ channel: "main" as const, ...l })),
      publisher: () => current?.sfu?.publisher ?? null,
      sfu: () => {
        const d = current?.sfu?.diagnostics();
        return d ? { ...d, made: sfuTransports } : null;
      },
    }),
  });
}
