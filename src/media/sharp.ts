// sharp (libvips), loaded by the first image this process handles: loading it costs CPU and some
// tens of MB of memory at every start, which CLI commands and processes that never touch an image
// need not pay. Configured once, as the pipeline's bounds say (media/gate.ts): libvips with one
// thread and no operation cache.
import { createRequire } from "node:module";
import type SharpFactory from "sharp";

const require = createRequire(import.meta.url);
let loaded: typeof SharpFactory | null = null;

export function sharp(): typeof SharpFactory {
  if (!loaded) {
    loaded = require("sharp") as typeof SharpFactory;
    loaded.cache(false);
    loaded.concurrency(1);
  }
  return loaded;
}
