// A card's image, made ready when the card is: fetched once through the remote-media cache (the
// small variant its proxy URL names, so the first reader finds it cached) and its blurhash computed
// by the media pipeline from that preview. A file that cannot be had (too large, not an image, a
// slow origin, S3 storage that serves by redirect) just leaves the card without a blurhash.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { blurhashOf } from "../../media/pipeline.ts";
import type { RemoteMediaCache } from "../media/remote-cache.ts";

/** The image is waited for at most this long before the card is announced without a blurhash. */
const IMAGE_DEADLINE_MS = 20_000;

export async function cardImageBlurhash(cache: RemoteMediaCache, cardId: string): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), IMAGE_DEADLINE_MS)));
  try {
    return await Promise.race([hashOf(cache, cardId), deadline]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

async function hashOf(cache: RemoteMediaCache, cardId: string): Promise<string | null> {
  const answer = await cache.serve("card", cardId, "small", null);
  if ("redirect" in answer) return null;
  const file = path.join(os.tmpdir(), `skein-card-${process.pid}-${cardId}-${Math.random().toString(36).slice(2)}`);
  try {
    await pipeline(await answer.open(), fs.createWriteStream(file));
    return await blurhashOf(file);
  } finally {
    answer.done();
    await fs.promises.rm(file, { force: true });
  }
}
