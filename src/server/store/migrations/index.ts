import type { Migration, MigrationProvider } from "kysely";
import * as m0001 from "./0001_accounts";
import * as m0002 from "./0002_social_chat";
import * as m0003 from "./0003_spaces";
import * as m0004 from "./0004_last_message_computed";
import * as m0005 from "./0005_mentions_everyone";
import * as m0006 from "./0006_email_verified";
import * as m0007 from "./0007_conversation_mute";
import * as m0008 from "./0008_space_join_messages";
import * as m0009 from "./0009_login_throttle";
import * as m0010 from "./0010_clean_display_names";
import * as m0011 from "./0011_rooms";
import * as m0012 from "./0012_guest_messages";
import * as m0013 from "./0013_reactions";
import * as m0014 from "./0014_message_edits";
import * as m0015 from "./0015_threads";
import * as m0016 from "./0016_search";
import * as m0017 from "./0017_notify_level";
import * as m0018 from "./0018_attachments";
import * as m0019 from "./0019_totp";
import * as m0020 from "./0020_guest_attachments";
import * as m0021 from "./0021_account_mail";
import * as m0022 from "./0022_audit_log";
import * as m0023 from "./0023_account_deletion";
import * as m0024 from "./0024_admin_console";
import * as m0025 from "./0025_account_exports";
import * as m0026 from "./0026_search_stats";
import * as m0027 from "./0027_mentions_here";
import * as m0028 from "./0028_reserved_usernames";
import * as m0029 from "./0029_report_guest_name";

/** Migrations are imported statically so the bundle and every dialect see the same list. */
export const migrations: MigrationProvider = {
  async getMigrations(): Promise<Record<string, Migration>> {
    return {
      "0001_accounts": m0001,
      "0002_social_chat": m0002,
      "0003_spaces": m0003,
      "0004_last_message_computed": m0004,
      "0005_mentions_everyone": m0005,
      "0006_email_verified": m0006,
      "0007_conversation_mute": m0007,
      "0008_space_join_messages": m0008,
      "0009_login_throttle": m0009,
      "0010_clean_display_names": m0010,
      "0011_rooms": m0011,
      "0012_guest_messages": m0012,
      "0013_reactions": m0013,
      "0014_message_edits": m0014,
      "0015_threads": m0015,
      "0016_search": m0016,
      "0017_notify_level": m0017,
      "0018_attachments": m0018,
      "0019_totp": m0019,
      "0020_guest_attachments": m0020,
      "0021_account_mail": m0021,
      "0022_audit_log": m0022,
      "0023_account_deletion": m0023,
      "0024_admin_console": m0024,
      "0025_account_exports": m0025,
      "0026_search_stats": m0026,
      "0027_mentions_here": m0027,
      "0028_reserved_usernames": m0028,
      "0029_report_guest_name": m0029,
    };
  },
};
