/** Light/dark theme: follows the system unless the user picked one (kept in localStorage). */
import { create } from "zustand";

export type ThemeMode = "system" | "light" | "dark";
const KEY = "parley.theme";
const media = window.matchMedia("(prefers-color-scheme: dark)");

function stored(): ThemeMode {
  try {
    const v = localStorage.getItem(KEY);
    return v === "light" || v === "dark" ? v : "system";
  } catch {
    return "system";
  }
}

function apply(mode: ThemeMode): "light" | "dark" {
  const resolved = mode === "system" ? (media.matches ? "dark" : "light") : mode;
  const root = document.documentElement;
  root.classList.toggle("dark", resolved === "dark");
  root.classList.toggle("light", resolved === "light");
  return resolved;
}

interface ThemeState {
  mode: ThemeMode;
  resolved: "light" | "dark";
  setMode(mode: ThemeMode): void;
}

const initial = stored();

export const useTheme = create<ThemeState>()((set) => ({
  mode: initial,
  resolved: apply(initial),
  setMode(mode) {
    try {
      if (mode === "system") localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, mode);
    } catch {
      /* ignore */
    }
    set({ mode, resolved: apply(mode) });
  },
}));

media.addEventListener("change", () => {
  const { mode } = useTheme.getState();
  useTheme.setState({ resolved: apply(mode) });
});

window.addEventListener("storage", (e) => {
  if (e.key !== KEY) return;
  const mode = stored();
  useTheme.setState({ mode, resolved: apply(mode) });
});
