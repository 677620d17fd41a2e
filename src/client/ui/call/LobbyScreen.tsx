/**
 * Waiting in a call's lobby (it is locked, or the host removed us): "Asking to join <name>…"
 * with our own preview (its camera stays on, so we see it is), until a host lets us in (we then
 * join with that camera) or turns us away (the camera is let go then).
 */
import { cancelKnock } from "../../state/callHost";
import { useCall } from "../../state/call";
import { usePreJoin } from "../../state/preJoin";
import { Button } from "../common/Button";
import { Spinner } from "../common/icons";
import { StreamVideo } from "./StreamVideo";
import { useScopeName } from "./useScopeName";

const WHY = {
  locked: "The meeting is locked. Someone hosting it will let you in shortly.",
  removed: "The host removed you from this call. You can come back once they let you in.",
} as const;

export function LobbyScreen() {
  const lobby = useCall((s) => s.lobby);
  const name = useScopeName(lobby?.conversationId ?? null);
  const preview = usePreJoin((s) => (s.camera && s.status === "ready" && s.stream?.getVideoTracks().length ? s.stream : null));
  if (!lobby) return null;
  const denied = lobby.status === "denied";
  return (
    <section
      aria-label="Lobby"
      data-testid="lobby"
      data-status={lobby.status}
      data-reason={lobby.reason}
      className="fixed inset-0 z-40 flex flex-col items-center justify-center gap-6 overflow-y-auto bg-zinc-950 px-6 py-8 text-center text-white"
    >
      {!denied && preview ? (
        <div className="aspect-video w-full max-w-sm shrink-0 overflow-hidden rounded-2xl bg-zinc-900 ring-1 ring-white/10">
          <StreamVideo stream={preview} muted mirror testId="lobby-preview" className="size-full" />
        </div>
      ) : null}
      {denied ? (
        <div role="alert" className="flex max-w-sm flex-col items-center gap-2">
          <h2 className="text-xl font-semibold tracking-tight">You can't join this call</h2>
          <p className="text-sm text-zinc-400">The host declined your request to join{name ? <> <bdi>{name}</bdi></> : null}.</p>
        </div>
      ) : (
        <div role="status" className="flex max-w-sm flex-col items-center gap-3">
          <Spinner className="size-6 text-brand-400" />
          <h2 data-testid="lobby-title" className="text-xl font-semibold tracking-tight text-balance">
            Asking to join{name ? <> <bdi>{name}</bdi></> : null}…
          </h2>
          <p className="text-sm text-zinc-400">{WHY[lobby.reason]}</p>
        </div>
      )}
      <Button variant={denied ? "primary" : "secondary"} onClick={() => void cancelKnock()}>
        {denied ? "Close" : "Cancel"}
      </Button>
    </section>
  );
}
