/**
 * "Add people" in a 1:1 or group DM call: whom we may ring into it (our friends, or the group's
 * other members). A click rings them; once they answer the call carries on as a group call.
 */
import { useShallow } from "zustand/react/shallow";
import { useCall } from "../../state/call";
import { useChat } from "../../state/chat";
import { addable, addPeople } from "../../state/groupCall";
import { Avatar } from "../common/Avatar";
import { UserPlusIcon } from "../common/chatIcons";
import { RoundButton } from "./RoundButton";
import { usePopover } from "./usePopover";

export const POPOVER = "absolute bottom-full z-30 mb-3 animate-pop rounded-2xl bg-zinc-900 p-1.5 shadow-2xl ring-1 ring-white/10";

/** The people a click rings in; `onDone` runs after a ring (to close the popover holding it). */
export function AddPeopleList({ onDone }: { onDone: () => void }) {
  const call = useCall(useShallow((s) => ({ callKind: s.callKind, conversationId: s.conversationId, participants: s.participants, invited: s.invited })));
  const people = useChat(useShallow((s) => addable(call, s)));
  return (
    <>
      <p className="px-2.5 pb-1 pt-1.5 text-xs font-semibold text-zinc-400">{call.callKind === "group" ? "Ring someone from the group" : "Ring a friend into this call"}</p>
      {people.length === 0 ? (
        <p className="px-2.5 py-2 text-sm text-zinc-400">{call.callKind === "group" ? "Everyone in the group is here or being rung." : "No friends left to add."}</p>
      ) : (
        <ul className="max-h-64 overflow-y-auto">
          {people.map((u) => (
            <li key={u.id}>
              <button
                type="button"
                role="menuitem"
                aria-label={`Add ${u.displayName}`}
                onClick={() => {
                  void addPeople([u.id]);
                  onDone();
                }}
                className="flex w-full items-center gap-2.5 rounded-xl px-2.5 py-2 text-left text-sm hover:bg-white/10"
              >
                <Avatar name={u.displayName} seed={u.id} src={u.avatarUrl} size="sm" />
                <span className="min-w-0 flex-1 truncate">{u.displayName}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export function AddPeopleMenu({ className }: { className?: string }) {
  const { open, setOpen, root } = usePopover();
  return (
    <div ref={root} className={className ?? "relative"} onKeyDown={(e) => e.key === "Escape" && setOpen(false)}>
      <RoundButton label="Add people" tone={open ? "active" : "neutral"} aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        <UserPlusIcon />
      </RoundButton>
      {open ? (
        <div role="menu" aria-label="Add people" className={`${POPOVER} left-1/2 w-64 -translate-x-1/2`}>
          <AddPeopleList onDone={() => setOpen(false)} />
        </div>
      ) : null}
    </div>
  );
}
