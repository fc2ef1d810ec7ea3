import { readFileSync } from "node:fs";

/** Skein's own version, from package.json. */
export const SKEIN_VERSION: string = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;

/**
 * The Mastodon API level Skein implements; clients decide which features to use from it (API
 * version 7 is Mastodon 4.5: apps offer quote posts only from there).
 */
export const MASTODON_COMPAT_VERSION = "4.5.0";
export const MASTODON_API_VERSION = 7;
