/** Running calls of the user's group DMs (hello's liveCalls, then call:live), so members not in one can join it. */
import { create } from "zustand";
import type { LiveCall } from "../../shared/protocol";

export const useLiveCalls = create<Record<string, LiveCall>>(() => ({}));

export function setLiveCalls(calls: LiveCall[]): void {
  useLiveCalls.setState(Object.fromEntries(calls.map((c) => [c.conversationId, c])), true);
}

export function applyLiveCall(call: LiveCall): void {
  useLiveCalls.setState((s) => {
    const { [call.conversationId]: _, ...rest } = s;
    return call.userIds.length ? { ...rest, [call.conversationId]: call } : rest;
  }, true);
}

/** call:ended reaches every member of a group DM: its cue goes. */
export function liveCallEnded(callId: string): void {
  const s = useLiveCalls.getState();
  const ended = Object.values(s).find((c) => c.callId === callId);
  if (ended) applyLiveCall({ ...ended, userIds: [] });
}
