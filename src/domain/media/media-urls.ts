// How an entity names a media file for clients. Local files (uploads, avatars, emojis) are at
// the media storage's public URL; remote files are shown through Skein's cache (a signed proxy
// URL, so readers' addresses never reach the origin and the proxy serves only what federation
// stored). Converters (convert/mastodon) get this through their ConvertContext.

/** What a proxied remote file is, for the proxy to find its source again. */
export type ProxiedKind = "attachment" | "avatar" | "header" | "emoji" | "card";

export interface MediaUrls {
  /** The URL clients fetch a stored object from (local driver: /system/<key>; S3: bucket or CDN). */
  stored(key: string): string;
  /** The URL of a remote file through the cache: `id` is the attachment, account, emoji or preview card id. */
  proxied(kind: ProxiedKind, id: string, variant: "original" | "small", sourceUrl: string): string;
}

/**
 * Until the remote-media cache is wired in: local files under /system/, remote files linked at
 * their origin (the old behaviour).
 */
export function directMediaUrls(origin: string): MediaUrls {
  return {
    stored: (key) => `${origin}/system/${key}`,
    proxied: (_kind, _id, _variant, sourceUrl) => sourceUrl,
  };
}
