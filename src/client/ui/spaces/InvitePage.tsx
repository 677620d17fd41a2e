/**
 * /invite/:code — works signed in or not. Shows where the invite leads (name, icon, member
 * count); a member accepts it, a visitor registers or logs in and comes back here. Invites
 * that cannot be used say why.
 */
import { useEffect, useState } from "react";
import type { InvitePreview } from "../../../shared/protocol";
import { ApiError, describeError } from "../../api";
import { navigate } from "../../state/router";
import { useSession } from "../../state/session";
import { firstTextChannel, spaceById, useSpaces } from "../../state/spaces";
import { acceptInvite, previewInvite } from "../../state/spacesInvites";
import { AuthLayout } from "../auth/AuthLayout";
import { Alert } from "../common/Alert";
import { Button } from "../common/Button";
import { Spinner } from "../common/icons";
import { Link } from "../common/Link";
import { SpaceIcon } from "./SpaceIcon";
import { channelPath, spacePath } from "./spaceRoutes";

const PROBLEMS: Record<string, { title: string; body: string }> = {
  NOT_FOUND: { title: "Invite not found", body: "This invite link is invalid or was mistyped. Ask whoever sent it for a new one." },
  INVITE_EXPIRED: { title: "This invite has expired", body: "Invite links can be set to expire. Ask whoever sent it for a new link." },
  INVITE_EXHAUSTED: { title: "This invite has been used up", body: "It reached the most people it could let in. Ask whoever sent it for a new link." },
  INVITE_REVOKED: { title: "This invite was revoked", body: "Someone in the space turned this link off. Ask for a new one if you still want to join." },
  BANNED: { title: "You can't join this space", body: "You've been banned from it, so its invites don't work for you." },
};

type State = { kind: "loading" } | { kind: "ready"; preview: InvitePreview } | { kind: "problem"; code: string; message: string };

function problemOf(err: unknown): State {
  return { kind: "problem", code: err instanceof ApiError ? err.code : "NETWORK_ERROR", message: describeError(err) };
}

export function InvitePage({ code }: { code: string }) {
  const status = useSession((s) => s.status);
  const user = useSession((s) => s.user);
  const [state, setState] = useState<State>({ kind: "loading" });
  const [busy, setBusy] = useState(false);
  const [acceptError, setAcceptError] = useState<string | null>(null);
  const member = useSpaces((s) => (state.kind === "ready" ? spaceById(s, state.preview.space.id) : undefined));

  useEffect(() => {
    const ac = new AbortController();
    setState({ kind: "loading" });
    previewInvite(code, ac.signal).then(
      (preview) => setState({ kind: "ready", preview }),
      (err) => !ac.signal.aborted && setState(problemOf(err)),
    );
    return () => ac.abort();
  }, [code]);

  async function accept() {
    setBusy(true);
    setAcceptError(null);
    try {
      const space = await acceptInvite(code);
      const general = firstTextChannel(space);
      navigate(general ? channelPath(space.id, general.id) : spacePath(space.id), { replace: true });
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && PROBLEMS[err.code]) setState(problemOf(err));
      else setAcceptError(describeError(err));
    }
  }

  const next = encodeURIComponent(`/invite/${code}`);
  const footer =
    status === "signedIn" && user ? (
      <>
        Signed in as <strong className="font-semibold">@{user.username}</strong> ·{" "}
        <Link href="/" className="font-medium text-brand-600 hover:underline dark:text-brand-400">
          Back to Parley
        </Link>
      </>
    ) : (
      <>Parley is a self-hosted place to chat, call and hang out.</>
    );

  if (state.kind === "loading") {
    return (
      <AuthLayout title="Opening invite…" subtitle="Looking up where this link leads." footer={footer}>
        <div role="status" className="flex justify-center py-6 text-zinc-400">
          <Spinner className="size-6" />
          <span className="sr-only">Loading invite</span>
        </div>
      </AuthLayout>
    );
  }

  if (state.kind === "problem") {
    const p = PROBLEMS[state.code] ?? { title: "Couldn't open this invite", body: state.message };
    return (
      <AuthLayout title={p.title} subtitle="This invite can't be used." footer={footer}>
        <div data-testid="invite-error" data-code={state.code} className="flex flex-col gap-4">
          <Alert>{p.body}</Alert>
          <Button variant="secondary" fullWidth onClick={() => navigate(status === "signedIn" ? "/" : "/login", { replace: true })}>
            {status === "signedIn" ? "Go home" : "Go to Parley"}
          </Button>
        </div>
      </AuthLayout>
    );
  }

  const { space } = state.preview;
  const count = space.memberCount;
  return (
    <AuthLayout title="You've been invited to join" subtitle="A space on Parley, with text and voice channels." footer={footer}>
      <div data-testid="invite-preview" className="flex flex-col items-center gap-5">
        <div className="flex flex-col items-center text-center">
          <SpaceIcon space={space} size="lg" className="rounded-3xl shadow-sm" />
          <h2 data-testid="invite-space-name" className="mt-3 text-xl font-bold tracking-tight text-zinc-900 dark:text-white">
            {space.name}
          </h2>
          <p data-testid="invite-member-count" className="mt-1 flex items-center gap-1.5 text-sm text-zinc-500 dark:text-zinc-400">
            <span aria-hidden="true" className="size-2 rounded-full bg-zinc-400" />
            {count} {count === 1 ? "member" : "members"}
          </p>
        </div>
        {acceptError ? <Alert className="w-full">{acceptError}</Alert> : null}
        {status === "signedIn" ? (
          member ? (
            <div className="flex w-full flex-col gap-2 text-center">
              <p className="text-sm text-zinc-600 dark:text-zinc-400">You're already a member of this space.</p>
              <Button size="lg" fullWidth onClick={() => navigate(spacePath(space.id), { replace: true })}>
                Open space
              </Button>
            </div>
          ) : (
            <Button size="lg" fullWidth loading={busy} onClick={() => void accept()}>
              Accept invite
            </Button>
          )
        ) : (
          <div className="flex w-full flex-col gap-2">
            <Button size="lg" fullWidth onClick={() => navigate(`/register?next=${next}`)}>
              Register to join
            </Button>
            <Button size="lg" variant="secondary" fullWidth onClick={() => navigate(`/login?next=${next}`)}>
              Log in to join
            </Button>
          </div>
        )}
      </div>
    </AuthLayout>
  );
}
