/**
 * A separate test process holding one namespace, for netns.test.ts: says "ready", then on its
 * stdin "go" creates a namespace and prints it as JSON ({error} if that failed), "close" closes it
 * and exits.
 */
import { createNetns, type Netns } from "./netns";

let ns: Netns | null = null;
console.log("ready");
for await (const line of console) {
  if (line === "go") {
    const made = await createNetns().then((n) => ({ ns: n }), (err: unknown) => ({ error: String(err) }));
    if ("ns" in made) ns = made.ns;
    console.log(JSON.stringify("ns" in made ? { name: made.ns.name, hostIp: made.ns.hostIp, nsIp: made.ns.nsIp, hostIf: made.ns.hostIf } : made));
  } else if (line === "close") {
    await ns?.close();
    console.log("closed");
    process.exit(0);
  }
}
