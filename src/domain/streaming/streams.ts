// The streams a client can subscribe to (Mastodon's names), who may subscribe to each, and the
// label every message of a subscription carries (`"stream": ["hashtag", "foo"]`).
import { scopeAllows } from "../oauth/scopes.ts";
import { parseId } from "../../util/ids.ts";

export const STREAM_NAMES = [
  "user",
  "user:notification",
  "public",
  "public:media",
  "public:local",
  "public:local:media",
  "public:remote",
  "public:remote:media",
  "hashtag",
  "hashtag:local",
  "list",
  "direct",
] as const;

export type StreamName = (typeof STREAM_NAMES)[number];

/** Who is listening: a token's holder (its account may be absent for app-only tokens), or nobody. */
export interface Viewer {
  accountId: string | null;
  scopes: readonly string[];
}

export interface StreamSubscription {
  name: StreamName;
  /** What every message of this subscription carries as `stream`. */
  label: string[];
  /** Identifies the subscription within a connection and in the routing index. */
  key: string;
}

/** A subscription refused; `status` follows Mastodon's streaming server. */
export class StreamError extends Error {
  readonly status: 400 | 401 | 403 | 404;
  constructor(status: 400 | 401 | 403 | 404, message: string) {
    super(message);
    this.status = status;
  }
}

const MAX_TAG_LENGTH = 100;

export function streamKey(label: readonly string[]): string {
  return label.join("\u0000");
}

function isStreamName(name: string): name is StreamName {
  return (STREAM_NAMES as readonly string[]).includes(name);
}

const needsScope = (viewer: Viewer | null, anyOf: string[]) => {
  if (viewer && !anyOf.some((scope) => scopeAllows(viewer.scopes, scope))) {
    throw new StreamError(403, "Access token does not have the required scopes");
  }
};

const needsAccount = (viewer: Viewer | null): string => {
  if (!viewer) throw new StreamError(401, "Missing access token");
  if (!viewer.accountId) throw new StreamError(401, "This stream requires an access token of a user");
  return viewer.accountId;
};

/**
 * Checks a subscription request (the stream name and its `tag` or `list` parameter) for `viewer`.
 * Public and hashtag streams may be read without a token when `anonymousPublic` allows it. What
 * needs the database (that a list is the viewer's) is checked by StreamRouter.authorize.
 */
export function parseSubscription(
  name: unknown,
  params: { tag?: unknown; list?: unknown },
  viewer: Viewer | null,
  options: { anonymousPublic: boolean },
): StreamSubscription {
  if (typeof name !== "string" || !isStreamName(name)) throw new StreamError(400, "Unknown stream type");
  const plain = (label: string[]): StreamSubscription => ({ name, label, key: streamKey(label) });

  if (name.startsWith("public") || name.startsWith("hashtag")) {
    if (!viewer && !options.anonymousPublic) throw new StreamError(401, "Missing access token");
    needsScope(viewer, ["read:statuses"]);
    if (name.startsWith("public")) return plain([name]);
    const tag = typeof params.tag === "string" ? params.tag.trim().replace(/^#/, "").normalize("NFKC").toLowerCase() : "";
    if (tag === "") throw new StreamError(400, "No tag for stream provided");
    if (tag.length > MAX_TAG_LENGTH || /[\s#@]/.test(tag)) throw new StreamError(400, "Invalid tag");
    return plain([name, tag]);
  }

  needsAccount(viewer);
  switch (name) {
    case "user":
      needsScope(viewer, ["read:statuses"]);
      return plain([name]);
    case "user:notification":
      needsScope(viewer, ["read:notifications"]);
      return plain([name]);
    case "direct":
      needsScope(viewer, ["read:statuses"]);
      return plain([name]);
    case "list": {
      needsScope(viewer, ["read:lists"]);
      if (typeof params.list !== "string" || params.list === "") throw new StreamError(400, "Missing list name parameter");
      // Whether the list is the viewer's is checked against the database (StreamRouter.authorize).
      // An id the database can hold (a 20-digit one is past 64 bits: PostgreSQL would refuse it).
      const list = parseId(params.list);
      if (list === null) throw new StreamError(404, "List not found");
      return plain([name, list]);
    }
  }
  throw new StreamError(400, "Unknown stream type");
}
