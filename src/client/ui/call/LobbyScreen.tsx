/** Waiting in a call's lobby (it is locked, or the host removed us): until a host lets us in (we then join) or turns us away. */
import { cancelKnock } from "../../state/callHost";
import { useCall } from "../../state/call";
import { Button } from "../common/Button";
import { Spinner } from "../common/icons";

const WHY = {
  locked: "The meeting is locked. Someone hosting it will admit you shortly.",
  removed: "The host removed you from this call. You can come back once they let you in.",
} as const;

export function LobbyScreen() {
  const lobby = useCall((s) => s.lobby);
  if (!lobby) return null;
  const denied = lobby.status === "denied";
  return (
    <section
      aria-label="Lobby"
      data-testid="lobby"
      data-status={lobby.status}
      data-reason={lobby.reason}
      className="fixed inset-0 z-40 flex flex-col items-center justify-center gap-6 bg-zinc-950 px-6 text-center text-white"
    >
      {denied ? (
        <div role="alert" className="flex max-w-sm flex-col items-center gap-2">
          <h2 className="text-xl font-semibold tracking-tight">You can't join this call</h2>
          <p className="text-sm text-zinc-400">The host declined your request to join.</p>
        </div>
      ) : (
        <div role="status" className="flex max-w-sm flex-col items-center gap-4">
          <Spinner className="size-7 text-brand-400" />
          <h2 className="text-xl font-semibold tracking-tight text-balance">Waiting for the host to let you in</h2>
          <p className="text-sm text-zinc-400">{WHY[lobby.reason]}</p>
        </div>
      )}
      <Button variant={denied ? "primary" : "secondary"} onClick={() => void cancelKnock()}>
        {denied ? "Close" : "Cancel"}
      </Button>
    </section>
  );
}
