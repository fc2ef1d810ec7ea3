// A local status's attachments → ActivityStreams `Document`s, in Mastodon's shape:
//   {"type": "Document", "mediaType": "image/webp", "url": "…", "name": "alt text",
//    "blurhash": "…", "focalPoint": [0.5, -0.25], "width": 1600, "height": 1200}
// Fedify's vocabulary has url, mediaType, name, width and height; `blurhash` and `focalPoint`
// are Mastodon's own terms (toot:), which Mastodon and Skein (attachmentsOf) read by those
// names. MediaDocument adds them to the expanded form, and a document that carries them is
// compacted with a context defining the terms, so they come out under their plain names — the
// same bytes in the body, in its Object Integrity Proof and in its Linked Data signature.
import { Create, Document, Note, Question, Update, type Activity } from "@fedify/vocab";
import type { MediaRow } from "../../store/media/attachments.ts";
import type { MediaUrls } from "../../domain/media/media-urls.ts";

const TOOT = "http://joinmastodon.org/ns#";

/** Mastodon's term definitions, as its own documents carry them. */
export const MEDIA_TERMS = {
  toot: TOOT,
  blurhash: "toot:blurhash",
  focalPoint: { "@container": "@list", "@id": "toot:focalPoint" },
} as const;

export interface OutgoingAttachment {
  url: string;
  mediaType: string;
  description: string | null;
  blurhash: string | null;
  focus: { x: number; y: number } | null;
  width: number | null;
  height: number | null;
}

/** A processed local upload as it is federated: the original at its public URL. */
export function outgoingAttachment(row: MediaRow, urls: Pick<MediaUrls, "stored">): OutgoingAttachment | null {
  if (row.processing !== "done" || !row.file_key) return null;
  return {
    url: urls.stored(row.file_key),
    mediaType: row.media_type ?? "application/octet-stream",
    description: row.description,
    blurhash: row.blurhash,
    focus: row.focus_x !== null && row.focus_y !== null ? { x: row.focus_x, y: row.focus_y } : null,
    width: row.width,
    height: row.height,
  };
}

/** A Document that also carries Mastodon's blurhash and focalPoint. */
export class MediaDocument extends Document {
  mastodonTerms: { blurhash: string | null; focalPoint: [number, number] | null } = { blurhash: null, focalPoint: null };

  override async toJsonLd(options: Parameters<Document["toJsonLd"]>[0] = {}): Promise<unknown> {
    const json = await super.toJsonLd(options);
    const { blurhash, focalPoint } = this.mastodonTerms;
    if (options.format === "expand") {
      const node = (Array.isArray(json) ? json[0] : json) as Record<string, unknown>;
      if (blurhash) node[`${TOOT}blurhash`] = [{ "@value": blurhash }];
      if (focalPoint) node[`${TOOT}focalPoint`] = [{ "@list": focalPoint.map((v) => ({ "@value": v })) }];
    } else if (options.format === undefined && json && typeof json === "object" && !Array.isArray(json)) {
      return { ...(json as Record<string, unknown>), ...(blurhash ? { blurhash } : {}), ...(focalPoint ? { focalPoint } : {}) };
    }
    return json;
  }
}

export function toDocument(attachment: OutgoingAttachment): MediaDocument {
  const document = new MediaDocument({
    mediaType: attachment.mediaType,
    url: new URL(attachment.url),
    name: attachment.description,
    width: attachment.width,
    height: attachment.height,
  });
  document.mastodonTerms = { blurhash: attachment.blurhash, focalPoint: attachment.focus ? [attachment.focus.x, attachment.focus.y] : null };
  return document;
}

/** Fedify's own context for a type (what it compacts with), with Mastodon's media terms added. */
type JsonLdContext = (string | Record<string, string>)[];
const contexts = new Map<unknown, Promise<JsonLdContext>>();
function contextWithMediaTerms(type: new (values: Record<string, never>) => { toJsonLd(options: { format: "compact" }): Promise<unknown> }): Promise<JsonLdContext> {
  let context = contexts.get(type);
  if (!context) {
    context = new type({}).toJsonLd({ format: "compact" }).then((json) => {
      const base = (json as { "@context"?: unknown })["@context"];
      // The focalPoint definition is an object, which Fedify's option type does not spell out.
      return [...(Array.isArray(base) ? base : base ? [base] : []), MEDIA_TERMS] as JsonLdContext;
    });
    contexts.set(type, context);
  }
  return context;
}

/** A Note whose attachments carry Mastodon's terms, served (GET) with the terms in its context. */
export class MediaNote extends Note {
  override async toJsonLd(options: Parameters<Note["toJsonLd"]>[0] = {}): Promise<unknown> {
    if (options.format !== undefined) return super.toJsonLd(options);
    return super.toJsonLd({ contextLoader: options.contextLoader, format: "compact", context: await contextWithMediaTerms(Note) });
  }
}

export class MediaQuestion extends Question {
  override async toJsonLd(options: Parameters<Question["toJsonLd"]>[0] = {}): Promise<unknown> {
    if (options.format !== undefined) return super.toJsonLd(options);
    return super.toJsonLd({ contextLoader: options.contextLoader, format: "compact", context: await contextWithMediaTerms(Question) });
  }
}

const embeddedOnly = { suppressError: true, documentLoader: () => Promise.reject(new Error("not fetched")) };

/**
 * The context to compact an outgoing activity with: undefined (Fedify's own) unless its object
 * carries media, then Fedify's context for the activity's type plus Mastodon's media terms.
 */
export async function outgoingContext(activity: Activity): Promise<JsonLdContext | undefined> {
  // Only a Create or Update embeds a post; asking any other activity (a Follow, a Block) for its
  // object would try to fetch it by URL, and Fedify logs each refused fetch as an error.
  if (!(activity instanceof Create || activity instanceof Update)) return undefined;
  const object = await activity.getObject(embeddedOnly).catch(() => null);
  if (!(object instanceof MediaNote || object instanceof MediaQuestion)) return undefined;
  return contextWithMediaTerms(activity.constructor as never);
}
