import { readFileSync } from "node:fs";

/** Skein's own version, from package.json. */
export const SKEIN_VERSION: string = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;

/** The Mastodon API level Skein implements; clients decide which features to use from it. */
export const MASTODON_COMPAT_VERSION = "4.3.0";
export const MASTODON_API_VERSION = 2;
