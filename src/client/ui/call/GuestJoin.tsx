/** The guest part of a room's pre-join screen: a name, and "Join as guest". */
import { useState, type FormEvent } from "react";
import type { CallMedia } from "../../../shared/calls";
import { joinAsGuest, useGuest } from "../../state/guestSession";
import { Alert } from "../common/Alert";
import { Button } from "../common/Button";
import { TextField } from "../common/TextField";

export function GuestJoin({ slug, media }: { slug: string; media: CallMedia }) {
  const [name, setName] = useState("");
  const status = useGuest((s) => s.status);
  const error = useGuest((s) => s.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void joinAsGuest(slug, name, media);
  };
  return (
    <form onSubmit={submit} className="flex w-full flex-col gap-3" aria-label="Join as a guest">
      <TextField label="Your name" name="guestName" autoComplete="name" maxLength={64} value={name} onChange={(e) => setName(e.target.value)} required />
      {error ? <Alert>{error}</Alert> : null}
      <Button type="submit" fullWidth loading={status === "joining"} disabled={!name.trim()}>
        Join as guest
      </Button>
    </form>
  );
}
