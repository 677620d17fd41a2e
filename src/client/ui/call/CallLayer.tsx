/** Mount once at the app root: shows whichever call screen the current call needs, or nothing. */
import { useCall } from "../../state/call";
import { CallEndedNotice } from "./CallEndedNotice";
import { CallView } from "./CallView";
import { ElsewhereCallBanner } from "./ElsewhereCallBanner";
import { IncomingCallDialog } from "./IncomingCallDialog";
import { LobbyScreen } from "./LobbyScreen";
import { OutgoingCallScreen } from "./OutgoingCallScreen";

export { CallButtons } from "./CallButtons";

export function CallLayer() {
  const phase = useCall((s) => s.phase);
  const knocking = useCall((s) => s.lobby !== null);
  if (knocking && phase !== "active") return <LobbyScreen />;
  switch (phase) {
    case "incoming":
      return <IncomingCallDialog />;
    case "outgoing":
      return <OutgoingCallScreen />;
    case "active":
      return <CallView />;
    case "ended":
      return <CallEndedNotice />;
    case "elsewhere":
      return <ElsewhereCallBanner />;
    default:
      return null;
  }
}
