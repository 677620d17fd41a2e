/**
 * Shown instead of the app when someone signs in to an account whose deletion is scheduled:
 * keep the account (cancels the deletion) or sign out and let it go ahead.
 */
import type { Me } from "../../../shared/protocol";
import { api } from "../../api";
import { useSession } from "../../state/session";
import { useUi } from "../../state/ui";
import { AuthLayout } from "../auth/AuthLayout";
import { Alert } from "../common/Alert";
import { Button } from "../common/Button";
import { useFormAction } from "../common/useFormAction";
import { formatWhen } from "./AccountPage";

export function DeletionScheduledPage({ user }: { user: Me & { deletionScheduledFor: string } }) {
  const toast = useUi((s) => s.toast);
  const logout = useSession((s) => s.logout);
  const { busy, error, run } = useFormAction();

  const keep = () =>
    run(async () => {
      await api.del("/api/account/deletion");
      const { deletionScheduledFor: _, ...kept } = user;
      useSession.setState({ user: kept });
      toast("Your account is no longer scheduled for deletion");
    });

  return (
    <AuthLayout
      title="Your account is scheduled for deletion"
      subtitle={`@${user.username} will be deleted on ${formatWhen(user.deletionScheduledFor)}.`}
      footer={null}
    >
      <div className="flex flex-col gap-4" data-testid="deletion-scheduled">
        {error ? <Alert>{error}</Alert> : null}
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Keep your account to use Parley as before. If you sign out instead, the deletion goes ahead.</p>
        <Button onClick={() => void keep()} loading={busy} fullWidth>
          Keep my account
        </Button>
        <Button variant="secondary" onClick={() => void logout()} fullWidth>
          Sign out
        </Button>
      </div>
    </AuthLayout>
  );
}
