/** /messages: every conversation, latest activity first, and a way to start a group. */
import { useChat } from "../../state/chat";
import { useUi } from "../../state/ui";
import { Button } from "../common/Button";
import { ChatIcon, UsersIcon } from "../common/icons";
import { Link } from "../common/Link";
import { PageHeader } from "../shell/PageHeader";
import { EmptyState } from "../shell/SectionPage";
import { ConversationList } from "./ConversationList";

export function MessagesPage() {
  const count = useChat((s) => Object.keys(s.conversations).length);
  const ready = useChat((s) => s.ready);
  const setNewGroupOpen = useUi((s) => s.setNewGroupOpen);
  return (
    <>
      <PageHeader
        title="Messages"
        icon={<ChatIcon className="size-5" />}
        actions={
          <Button size="sm" variant="secondary" icon={<UsersIcon className="size-4" />} onClick={() => setNewGroupOpen(true)} data-testid="new-group-page-button">
            New group
          </Button>
        }
      />
      {ready && count === 0 ? (
        <EmptyState icon={<ChatIcon className="size-7" />} title="No conversations yet" testId="empty-messages">
          Each friendship comes with a private conversation.{" "}
          <Link href="/friends?tab=add" className="font-medium text-brand-600 hover:underline dark:text-brand-400">
            Add a friend
          </Link>{" "}
          to start one.
        </EmptyState>
      ) : (
        <div className="mx-auto w-full max-w-3xl px-2 py-4 sm:px-6 sm:py-6">
          <ConversationList variant="page" />
        </div>
      )}
    </>
  );
}
