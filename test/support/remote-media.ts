// Helpers for the tests and the bench of the remote-media cache (domain/media/remote-cache.ts):
// how many bytes a cache folder holds, and a cache over a runtime made as services.ts makes the
// server's own — one per runtime stands for one more process sharing the database and storage.
import fs from "node:fs";
import path from "node:path";
import type { Config } from "../../src/config/config.ts";
import type { Runtime } from "../../src/server/context.ts";
import { RemoteMediaCache, type RemoteCacheOptions } from "../../src/domain/media/remote-cache.ts";
import { processRemotePreview } from "../../src/media/pipeline.ts";

/** Bytes of every file below `dir` (0 if it does not exist); a file evicted between the listing and its stat counts 0. */
export function bytesUnder(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? bytesUnder(full) : (fs.statSync(full, { throwIfNoEntry: false })?.size ?? 0);
  }
  return total;
}

/** A remote-media cache over `runtime`'s stores, policy and storage, with the real preview maker. */
export function remoteCacheOver(runtime: Runtime, config: Config, options: Pick<RemoteCacheOptions, "budgetBytes" | "onAdmitted" | "workDir"> = {}): RemoteMediaCache {
  return new RemoteMediaCache({
    stores: runtime.stores,
    config,
    policy: () => runtime.services.moderation.policy,
    storage: () => runtime.services.mediaStorage,
    previews: async (input, workDir) => (await processRemotePreview(input, workDir)).preview,
    ...options,
  });
}
