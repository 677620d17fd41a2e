/**
 * The signed-in user's menu (ARIA menu pattern): Edit profile, Sessions, Email, Security, the admin console and mail outbox (instance admins), theme, Log out.
 * Arrow keys / Home / End move, Escape closes and returns focus to the trigger.
 */
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { describeError } from "../../api";
import { navigate } from "../../state/router";
import { useSession } from "../../state/session";
import { useTheme, type ThemeMode } from "../../state/theme";
import { useUi } from "../../state/ui";
import { useChat } from "../../state/chat";
import { setMyStatus } from "../../state/chatActions";
import { requestNotifications, useNotifyPermission } from "../../state/notify";
import { BellIcon } from "../common/chatIcons";
import { PresenceAvatar, PresenceDot } from "../common/PresenceAvatar";
import { cn } from "../common/cn";
import { AccountIcon, CheckIcon, ChevronUpDownIcon, DevicesIcon, LogOutIcon, MailIcon, MonitorIcon, MoonIcon, PencilIcon, ShieldIcon, SunIcon } from "../common/icons";

const STATUSES = [
  { status: "online", label: "Online" },
  { status: "idle", label: "Idle" },
  { status: "dnd", label: "Do not disturb" },
  { status: "invisible", label: "Invisible" },
] as const;

const THEMES: Array<{ mode: ThemeMode; label: string; Icon: typeof SunIcon }> = [
  { mode: "system", label: "System theme", Icon: MonitorIcon },
  { mode: "light", label: "Light theme", Icon: SunIcon },
  { mode: "dark", label: "Dark theme", Icon: MoonIcon },
];

export function UserMenu({ placement = "top", compact = false }: { placement?: "top" | "bottom"; compact?: boolean }) {
  const user = useSession((s) => s.user);
  const logout = useSession((s) => s.logout);
  const { mode, setMode } = useTheme();
  const { setProfileOpen, setDrawerOpen, toast } = useUi();
  const myStatus = useChat((s) => s.myStatus);
  const permission = useNotifyPermission((s) => s.permission);
  const [open, setOpen] = useState(false);
  const wrapRef = useRef<HTMLDivElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const focusOnOpen = useRef<"first" | "last">("first");
  const menuId = useId();

  const items = () => Array.from(menuRef.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]') ?? []);

  useEffect(() => {
    if (!open) return;
    const list = items();
    (focusOnOpen.current === "last" ? list[list.length - 1] : list[0])?.focus();
    const onPointer = (e: PointerEvent) => {
      if (!wrapRef.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", onPointer);
    return () => document.removeEventListener("pointerdown", onPointer);
  }, [open]);

  if (!user) return null;

  function close(refocus = true) {
    setOpen(false);
    if (refocus) triggerRef.current?.focus();
  }

  function onTriggerKey(e: React.KeyboardEvent) {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      focusOnOpen.current = e.key === "ArrowUp" ? "last" : "first";
      setOpen(true);
    }
  }

  function onMenuKey(e: React.KeyboardEvent) {
    const list = items();
    const i = list.indexOf(document.activeElement as HTMLElement);
    const go = (n: number) => list[(n + list.length) % list.length]?.focus();
    if (e.key === "ArrowDown") go(i + 1);
    else if (e.key === "ArrowUp") go(i - 1);
    else if (e.key === "Home") go(0);
    else if (e.key === "End") go(list.length - 1);
    else if (e.key === "Escape") close();
    else if (e.key === "Tab") return setOpen(false);
    else return;
    e.preventDefault();
  }

  /** A menu item that opens a page: the menu and the mobile drawer close first. */
  const goTo = (path: string) => () => {
    close(false);
    setDrawerOpen(false);
    navigate(path);
  };

  async function onLogout() {
    close(false);
    setDrawerOpen(false);
    try {
      await logout();
    } catch (err) {
      toast(describeError(err), "error");
    }
    navigate("/login", { replace: true });
  }

  return (
    <div ref={wrapRef} className="relative">
      <button
        ref={triggerRef}
        type="button"
        aria-label="User menu"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        data-testid="user-menu-button"
        onClick={() => {
          focusOnOpen.current = "first";
          setOpen((o) => !o);
        }}
        onKeyDown={onTriggerKey}
        className={cn(
          "flex items-center gap-3 rounded-lg text-left transition-colors hover:bg-zinc-200/70 dark:hover:bg-zinc-800",
          compact ? "p-1" : "w-full p-2",
          open && "bg-zinc-200/70 dark:bg-zinc-800",
        )}
      >
        <PresenceAvatar user={user} status={myStatus} size={compact ? "sm" : "md"} ring={compact ? "ring-white dark:ring-zinc-950" : "ring-zinc-50 dark:ring-zinc-900"} />
        {compact ? null : (
          <>
            <span className="min-w-0 flex-1">
              <span data-testid="current-user-display-name" className="block truncate text-sm font-semibold text-zinc-900 dark:text-zinc-100">
                {user.displayName}
              </span>
              <span data-testid="current-user-username" className="block truncate text-xs text-zinc-500 dark:text-zinc-400">
                @{user.username}
              </span>
            </span>
            <ChevronUpDownIcon className="size-4 shrink-0 text-zinc-400" />
          </>
        )}
      </button>

      {open ? (
        <div
          ref={menuRef}
          id={menuId}
          role="menu"
          aria-label="User menu"
          onKeyDown={onMenuKey}
          className={cn(
            "absolute z-40 animate-pop rounded-xl bg-white p-1.5 shadow-xl ring-1 ring-zinc-900/10 dark:bg-zinc-900 dark:ring-white/10",
            placement === "top" ? "inset-x-0 bottom-full mb-2" : "right-0 top-full mt-2 w-64",
          )}
        >
          <div className="px-2.5 pb-2 pt-1.5">
            <p className="truncate text-sm font-semibold text-zinc-900 dark:text-zinc-100">{user.displayName}</p>
            <p className="truncate text-xs text-zinc-500 dark:text-zinc-400">{user.email}</p>
          </div>
          <Separator />
          <div role="group" aria-label="Status">
            {STATUSES.map(({ status, label }) => (
              <Item key={status} radio checked={myStatus === status} icon={<PresenceDot status={status} className="m-[3px]" />} onSelect={() => setMyStatus(status)}>
                {label}
              </Item>
            ))}
          </div>
          <Separator />
          <Item
            icon={<PencilIcon className="size-4" />}
            onSelect={() => {
              close(); // focus the trigger first, so the dialog returns focus there
              setProfileOpen(true);
            }}
          >
            Edit profile
          </Item>
          <Item icon={<DevicesIcon className="size-4" />} onSelect={goTo("/settings/sessions")}>
            Sessions
          </Item>
          <Item icon={<MailIcon className="size-4" />} onSelect={goTo("/settings/email")}>
            Email
          </Item>
          <Item icon={<ShieldIcon className="size-4" />} onSelect={goTo("/settings/security")}>
            Security
          </Item>
          <Item icon={<AccountIcon className="size-4" />} onSelect={goTo("/settings/account")}>
            Account
          </Item>
          {user?.instanceAdmin ? (
            <Item icon={<ShieldIcon className="size-4" />} testId="open-admin" onSelect={goTo("/admin")}>
              Admin console
            </Item>
          ) : null}
          {user?.instanceAdmin ? (
            <Item
              icon={<MailIcon className="size-4" />}
              testId="open-outbox"
              onSelect={goTo("/admin/outbox")}
            >
              Mail outbox
            </Item>
          ) : null}
          {permission === "default" ? (
            <Item
              icon={<BellIcon className="size-4" />}
              testId="enable-notifications"
              onSelect={() => {
                close();
                void requestNotifications().then((p) => {
                  if (p === "granted") toast("Desktop notifications are on");
                  else if (p === "denied") toast("Notifications are blocked. You can allow them in your browser's site settings.", "error");
                });
              }}
            >
              Enable desktop notifications
            </Item>
          ) : null}
          <Separator />
          <div role="group" aria-label="Theme">
            <p className="px-2.5 pb-1 pt-1.5 text-[0.6875rem] font-semibold uppercase tracking-wider text-zinc-400 dark:text-zinc-500">
              Theme
            </p>
            {THEMES.map(({ mode: m, label, Icon }) => (
              <Item key={m} radio checked={mode === m} icon={<Icon className="size-4" />} onSelect={() => setMode(m)}>
                {label.replace(" theme", "")}
                <span className="sr-only"> theme</span>
              </Item>
            ))}
          </div>
          <Separator />
          <Item icon={<LogOutIcon className="size-4" />} onSelect={onLogout} danger testId="logout">
            Log out
          </Item>
        </div>
      ) : null}
    </div>
  );
}

function Separator() {
  return <div role="separator" className="-mx-1.5 my-1.5 h-px bg-zinc-100 dark:bg-zinc-800" />;
}

function Item({
  children,
  icon,
  onSelect,
  danger,
  radio,
  checked,
  testId,
}: {
  children: ReactNode;
  icon: ReactNode;
  onSelect(): void;
  danger?: boolean;
  radio?: boolean;
  checked?: boolean;
  testId?: string;
}) {
  return (
    <button
      type="button"
      role={radio ? "menuitemradio" : "menuitem"}
      aria-checked={radio ? checked : undefined}
      tabIndex={-1}
      data-testid={testId}
      onClick={onSelect}
      className={cn(
        "flex w-full items-center gap-2.5 rounded-md px-2.5 py-2 text-left text-sm outline-none transition-colors",
        "focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-brand-500",
        danger
          ? "text-red-600 hover:bg-red-50 focus:bg-red-50 dark:text-red-400 dark:hover:bg-red-500/10 dark:focus:bg-red-500/10"
          : "text-zinc-700 hover:bg-zinc-100 focus:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800 dark:focus:bg-zinc-800",
      )}
    >
      <span className={cn("shrink-0", danger ? "" : "text-zinc-400 dark:text-zinc-500")}>{icon}</span>
      <span className="flex-1">{children}</span>
      {radio && checked ? <CheckIcon className="size-4 text-brand-600 dark:text-brand-400" /> : null}
    </button>
  );
}
