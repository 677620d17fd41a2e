/** Edit display name, avatar (uploaded at once) and who sees your presence (PATCH /api/users/me). */
import { useEffect, useState, type FormEvent } from "react";
import { UpdateMeBody } from "../../../shared/protocol";
import { ApiError, describeError } from "../../api";
import { setAvatar } from "../../state/profile";
import { useSession } from "../../state/session";
import { useUi } from "../../state/ui";
import { Alert } from "../common/Alert";
import { Avatar } from "../common/Avatar";
import { Button } from "../common/Button";
import { Dialog } from "../common/Dialog";
import { Spinner } from "../common/icons";
import { ImageUploadButton } from "../common/ImageUploadButton";
import { TextField } from "../common/TextField";
import { PresencePrivacyField, type PresenceVisibility } from "../spaces/PresencePrivacyField";

type Errors = { displayName?: string };

function avatarError(err: unknown): string {
  if (err instanceof ApiError && err.code === "UNSUPPORTED_MEDIA_TYPE") return "That file isn't an image we can use. Upload a PNG, JPEG, GIF or WebP.";
  if (err instanceof ApiError && err.code === "PAYLOAD_TOO_LARGE") return "That image is too large: the limit is 512 KB.";
  return describeError(err);
}

export function EditProfileDialog() {
  const open = useUi((s) => s.profileOpen);
  const setOpen = useUi((s) => s.setProfileOpen);
  const toast = useUi((s) => s.toast);
  const user = useSession((s) => s.user);
  const updateProfile = useSession((s) => s.updateProfile);
  const [displayName, setDisplayName] = useState("");
  const [avatarBusy, setAvatarBusy] = useState(false);
  const [avatarErr, setAvatarErr] = useState<string | null>(null);
  const [visibility, setVisibility] = useState<PresenceVisibility>("friends");
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!open || !user) return;
    setDisplayName(user.displayName);
    setAvatarErr(null);
    setVisibility(user.presenceVisibility ?? "friends");
    setErrors({});
    setFormError(null);
    setBusy(false);
  }, [open]); // reset only when (re)opened

  if (!user) return null;

  async function onAvatar(file: File | null) {
    setAvatarBusy(true);
    setAvatarErr(null);
    try {
      await setAvatar(file);
      toast(file ? "Avatar updated" : "Avatar removed");
    } catch (err) {
      setAvatarErr(avatarError(err));
    } finally {
      setAvatarBusy(false);
    }
  }

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!user) return;
    setFormError(null);
    const patch: UpdateMeBody = {};
    if (displayName.trim() !== user.displayName) patch.displayName = displayName;
    if (visibility !== (user.presenceVisibility ?? "friends")) patch.presenceVisibility = visibility;

    if (!displayName.trim()) return setErrors({ displayName: "Display name can't be empty" });
    const parsed = UpdateMeBody.safeParse(patch);
    if (!parsed.success) {
      const next: Errors = {};
      for (const issue of parsed.error.issues) {
        const key = issue.path[0];
        if (key === "displayName") next.displayName ??= issue.code === "too_big" ? "At most 64 characters" : issue.message;
      }
      return setErrors(next);
    }
    if (Object.keys(patch).length === 0) return setOpen(false);

    setBusy(true);
    try {
      await updateProfile(parsed.data);
      setOpen(false);
      toast("Profile updated");
    } catch (err) {
      setBusy(false);
      const fields = err instanceof ApiError ? err.fieldErrors : {};
      if (fields.displayName) setErrors({ displayName: fields.displayName });
      else setFormError(describeError(err));
    }
  }

  return (
    <Dialog open={open} onClose={() => setOpen(false)} title="Edit profile" description="This is how others see you across Parley.">
      <form noValidate onSubmit={onSubmit} className="flex flex-col gap-4" data-testid="edit-profile-form">
        {formError ? <Alert>{formError}</Alert> : null}
        <div className="flex flex-col gap-3 rounded-xl bg-zinc-50 p-3 ring-1 ring-inset ring-zinc-200/70 dark:bg-zinc-800/50 dark:ring-zinc-700/50">
          <div className="flex items-center gap-4">
            <span className="relative shrink-0">
              <Avatar name={displayName.trim() || user.username} seed={user.id} src={user.avatarUrl} size="lg" />
              {avatarBusy ? (
                <span className="absolute inset-0 flex items-center justify-center rounded-full bg-black/40 text-white">
                  <Spinner className="size-5" />
                </span>
              ) : null}
            </span>
            <div className="min-w-0">
              <p className="truncate font-semibold">{displayName.trim() || user.username}</p>
              <p className="truncate text-sm text-zinc-500 dark:text-zinc-400">@{user.username}</p>
            </div>
          </div>
          <div className="flex flex-wrap items-center gap-2">
            <ImageUploadButton busy={avatarBusy} testId="avatar-input" label={user.avatarUrl ? "Change avatar" : "Upload avatar"} onFile={(file) => void onAvatar(file)} />
            {user.avatarUrl ? (
              <Button variant="secondary" disabled={avatarBusy} onClick={() => void onAvatar(null)}>
                Remove
              </Button>
            ) : null}
            <span className="text-xs text-zinc-500 dark:text-zinc-400">PNG, JPEG, GIF or WebP, up to 512 KB.</span>
          </div>
          {avatarErr ? <Alert>{avatarErr}</Alert> : null}
        </div>
        <TextField
          label="Display name"
          name="displayName"
          maxLength={64}
          data-autofocus
          value={displayName}
          onChange={(e) => {
            setDisplayName(e.target.value);
            setErrors((x) => ({ ...x, displayName: undefined }));
          }}
          error={errors.displayName}
        />
        <PresencePrivacyField value={visibility} onChange={setVisibility} />
        <div className="mt-2 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <Button variant="secondary" onClick={() => setOpen(false)}>
            Cancel
          </Button>
          <Button type="submit" loading={busy}>
            Save changes
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
