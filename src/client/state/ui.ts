/** Shell-level UI state that several components open or close. */
import { create } from "zustand";

export interface Toast {
  id: number;
  message: string;
  /** info: neutral news (a feature not there yet), neither a success nor a failure. */
  tone: "success" | "error" | "info";
}

interface UiState {
  profileOpen: boolean;
  drawerOpen: boolean;
  newGroupOpen: boolean;
  /** The member list beside a group conversation (wide screens). */
  groupMembersOpen: boolean;
  toasts: Toast[];
  setProfileOpen(open: boolean): void;
  setDrawerOpen(open: boolean): void;
  setNewGroupOpen(open: boolean): void;
  setGroupMembersOpen(open: boolean): void;
  toast(message: string, tone?: Toast["tone"]): void;
  dismissToast(id: number): void;
}

let nextId = 1;

export const useUi = create<UiState>()((set, get) => ({
  profileOpen: false,
  drawerOpen: false,
  newGroupOpen: false,
  groupMembersOpen: true,
  toasts: [],
  setProfileOpen: (profileOpen) => set({ profileOpen }),
  setDrawerOpen: (drawerOpen) => set({ drawerOpen }),
  setNewGroupOpen: (newGroupOpen) => set({ newGroupOpen }),
  setGroupMembersOpen: (groupMembersOpen) => set({ groupMembersOpen }),
  toast(message, tone = "success") {
    const id = nextId++;
    set((s) => ({ toasts: [...s.toasts.slice(-2), { id, message, tone }] }));
    setTimeout(() => get().dismissToast(id), 4000);
  },
  dismissToast: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
}));
