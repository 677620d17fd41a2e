/**
 * A real S3-compatible server for tests: s3rver (an npm devDependency; it keeps objects in a
 * temporary directory) on a free port of 127.0.0.1, with one bucket. The env is what a
 * deployment sets to put attachments in it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
// @ts-expect-error s3rver ships no type declarations
import S3rver from "s3rver";

export interface TestS3 {
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startS3(bucket = "parley-test"): Promise<TestS3> {
  const dir = mkdtempSync(join(tmpdir(), "parley-s3-"));
  // s3rver's default credentials (it checks the signature against them).
  const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
  const { port } = (await server.run()) as { port: number };
  return {
    env: { S3_ENDPOINT: `http://127.0.0.1:${port}`, S3_BUCKET: bucket, S3_REGION: "us-east-1", S3_ACCESS_KEY_ID: "S3RVER", S3_SECRET_ACCESS_KEY: "S3RVER" },
    async stop() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
