/**
 * The shell's navigation columns: the space rail, then either the home sidebar (sections and
 * direct messages) or, inside a space, its channel sidebar. Desktop shows them side by side;
 * narrow screens show the same in the navigation drawer.
 */
import type { ReactNode } from "react";
import { useRouter } from "../../state/router";
import { useUi } from "../../state/ui";
import { SidebarContent } from "../shell/Sidebar";
import { ChannelSidebar } from "./ChannelSidebar";
import { SpaceRail } from "./SpaceRail";
import { spaceRouteOf } from "./spaceRoutes";

export function DesktopNav({ footer }: { footer: ReactNode }) {
  const route = spaceRouteOf(useRouter((s) => s.path));
  return (
    <>
      <SpaceRail />
      <aside aria-label="Sidebar" className="w-60 shrink-0 border-r border-zinc-200/80 bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-900/60">
        {route ? <ChannelSidebar spaceId={route.spaceId} footer={footer} /> : <SidebarContent footer={footer} />}
      </aside>
    </>
  );
}

export function DrawerNav() {
  const route = spaceRouteOf(useRouter((s) => s.path));
  const close = useUi((s) => s.setDrawerOpen);
  return (
    <div className="flex h-full min-h-0">
      <SpaceRail onNavigate={() => close(false)} />
      <div className="min-w-0 flex-1">{route ? <ChannelSidebar spaceId={route.spaceId} inDrawer onNavigate={() => close(false)} /> : <SidebarContent />}</div>
    </div>
  );
}
