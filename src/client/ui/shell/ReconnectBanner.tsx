/** A bar across the top while the socket is reconnecting (messages typed now wait and go out after). */
import { useEffect, useState } from "react";
import { useChat } from "../../state/chat";
import { WifiOffIcon } from "../common/chatIcons";
import { Spinner } from "../common/icons";

/** Blips shorter than this (a quick reconnect) show nothing. */
const SHOW_AFTER_MS = 700;

export function ReconnectBanner() {
  const state = useChat((s) => s.socketState);
  const [visible, setVisible] = useState(false);
  const reconnecting = state === "reconnecting";

  useEffect(() => {
    if (!reconnecting) return setVisible(false);
    const t = setTimeout(() => setVisible(true), SHOW_AFTER_MS);
    return () => clearTimeout(t);
  }, [reconnecting]);

  if (!visible) return null;
  const offline = typeof navigator !== "undefined" && navigator.onLine === false;
  return (
    <div
      role="status"
      data-testid="reconnecting-banner"
      className="flex shrink-0 items-center justify-center gap-2 bg-amber-400 px-4 py-1.5 text-center text-sm font-medium text-amber-950 dark:bg-amber-500"
    >
      {offline ? <WifiOffIcon className="size-4" /> : <Spinner className="size-4" />}
      <span>
        Reconnecting…
        <span className="font-normal"> {offline ? "You're offline. Messages you send will go out when you're back." : "Messages you send will go out once connected."}</span>
      </span>
    </div>
  );
}
