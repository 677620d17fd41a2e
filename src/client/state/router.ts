/** A tiny history.pushState router: the current path lives in a store. */
import { create } from "zustand";

interface RouterState {
  path: string;
  search: string;
  /** `keepScroll`: the same page in another state (a panel opened), not a new page. */
  navigate(to: string, opts?: { replace?: boolean; keepScroll?: boolean }): void;
}

/** Outside a browser (state modules imported by tests and tools) the router sits at "/". */
const inBrowser = typeof window !== "undefined";

function here() {
  return inBrowser ? { path: window.location.pathname, search: window.location.search } : { path: "/", search: "" };
}

export const useRouter = create<RouterState>()((set) => ({
  ...here(),
  navigate(to, opts) {
    const url = new URL(to, window.location.origin);
    const target = url.pathname + url.search + url.hash;
    const current = window.location.pathname + window.location.search + window.location.hash;
    if (target !== current) {
      if (opts?.replace) window.history.replaceState(null, "", target);
      else window.history.pushState(null, "", target);
    }
    set({ path: url.pathname, search: url.search });
    if (!opts?.replace && !opts?.keepScroll) window.scrollTo(0, 0);
  },
}));

if (inBrowser) window.addEventListener("popstate", () => useRouter.setState(here()));

export function navigate(to: string, opts?: { replace?: boolean; keepScroll?: boolean }): void {
  useRouter.getState().navigate(to, opts);
}

/** Only same-origin, absolute paths may be used as a post-login destination. */
export function safeNext(value: string | null): string {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return "/";
  if (value.startsWith("/login") || value.startsWith("/register")) return "/";
  return value;
}
