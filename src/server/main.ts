/** Entry point: config → node → listen; clean shutdown on SIGINT/SIGTERM. */
import { join } from "node:path";
import { ConfigError, loadConfig } from "./config";
import { DiskFileStore } from "./files/file-store";
import { S3FileStore } from "./files/s3-file-store";
import { createParley } from "./server";
import { StartupError } from "./startup";

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  throw err;
}

const dev = config.env === "development";
// Attachment bytes: a bucket shared by every node, or this node's DATA_DIR.
const files = config.files.kind === "s3" ? new S3FileStore(config.files, config.dataDir) : new DiskFileStore(config.dataDir);
const parley = await createParley(config, { staticDir: dev ? undefined : join(import.meta.dir, "../../dist"), files }).catch((err) => {
  if (!(err instanceof StartupError)) throw err;
  console.error(err.message);
  process.exit(1);
});
const server = parley.listen(dev ? (await import("../client/index.html")).default : undefined);
parley.log.info("parley listening", { url: `http://${config.host}:${server.port}`, publicUrl: config.publicUrl, database: config.database.kind, files: config.files.kind });
if (!config.publicUrlSet && config.mail.smtpUrl) {
  parley.log.warn("SMTP_URL is set but PUBLIC_URL is not", { meaning: `links in mail (verification, password reset) point at ${config.publicUrl}; set PUBLIC_URL to the address people reach Parley at.` });
}
if (!config.publicUrlSet) {
  parley.log.info("PUBLIC_URL is unset", {
    meaning: `links (invites) use the address each user opened Parley at; OIDC callbacks use ${config.publicUrl}. Set PUBLIC_URL to the address people reach Parley at to fix both.`,
  });
}

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    parley.log.info("shutting down", { signal, timeoutMs: config.shutdownTimeoutMs });
    const drained = await parley.shutdown();
    parley.log.info("shut down", { drained });
    process.exit(0);
  });
}
