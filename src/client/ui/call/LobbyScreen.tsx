/** Waiting in a locked call's lobby: until a host lets us in (we then join) or turns us away. */
import { cancelKnock } from "../../state/callHost";
import { useCall } from "../../state/call";
import { Button } from "../common/Button";
import { Spinner } from "../common/icons";

export function LobbyScreen() {
  const status = useCall((s) => s.lobby?.status);
  if (!status) return null;
  const denied = status === "denied";
  return (
    <section aria-label="Lobby" className="fixed inset-0 z-40 flex flex-col items-center justify-center gap-6 bg-zinc-950 px-6 text-center text-white">
      {denied ? (
        <div role="alert" className="flex max-w-sm flex-col items-center gap-2">
          <h2 className="text-xl font-semibold tracking-tight">You can't join this call</h2>
          <p className="text-sm text-zinc-400">The host declined your request to join.</p>
        </div>
      ) : (
        <div role="status" className="flex max-w-sm flex-col items-center gap-4">
          <Spinner className="size-7 text-brand-400" />
          <h2 className="text-xl font-semibold tracking-tight">Waiting for the host to let you in</h2>
          <p className="text-sm text-zinc-400">The meeting is locked. Someone hosting it will admit you shortly.</p>
        </div>
      )}
      <Button variant={denied ? "primary" : "secondary"} onClick={() => void cancelKnock()}>
        {denied ? "Close" : "Cancel"}
      </Button>
    </section>
  );
}
