/** Which space dialog is open (they are mounted once, in the shell), and the member panel toggle. */
import { create } from "zustand";
import type { Channel } from "../../shared/protocol";

export type SpaceDialog =
  | { kind: "createSpace" }
  | { kind: "createChannel"; spaceId: string; channelKind: Channel["kind"] }
  | { kind: "invite"; spaceId: string }
  | { kind: "editChannel"; spaceId: string; channelId: string }
  | { kind: "leave"; spaceId: string };

interface SpacesUiState {
  dialog: SpaceDialog | null;
  /** The member list beside a channel (wide screens start with it shown). */
  membersOpen: boolean | null;
  open(d: SpaceDialog): void;
  close(): void;
  setMembersOpen(open: boolean): void;
}

export const useSpacesUi = create<SpacesUiState>()((set) => ({
  dialog: null,
  membersOpen: null,
  open: (dialog) => set({ dialog }),
  close: () => set({ dialog: null }),
  setMembersOpen: (membersOpen) => set({ membersOpen }),
}));
