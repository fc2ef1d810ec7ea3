// Statuses ↔ ActivityStreams Notes, with Mastodon's addressing for each visibility:
//   public:   to Public,    cc followers + mentioned
//   unlisted: to followers, cc Public + mentioned
//   private:  to followers, cc mentioned
//   direct:   to mentioned
import { Article, Audio, Collection, Event, Hashtag, Image, LanguageString, Link, Mention, Note, Page, PUBLIC_COLLECTION, Question, Video, type Object as APObject } from "@fedify/vocab";
import type { StatusRow, TagRow } from "../../store/statuses.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { Visibility } from "../../db/schema.ts";
import type { IncomingAttachment } from "../../domain/statuses/remote-statuses.ts";
import { MediaNote, MediaQuestion, toDocument, type OutgoingAttachment } from "./attachments.ts";
import { instant, toDate } from "./time.ts";
import { sanitizeRemoteHtml, stripHtml } from "./sanitize.ts";
import { emojisOf, toEmojiTag, type OutgoingEmoji } from "./emoji.ts";
import type { IncomingEmoji } from "../../domain/emojis/emoji-service.ts";

export function addressing(visibility: Visibility, followersUri: URL, mentioned: URL[]): { tos: URL[]; ccs: URL[] } {
  switch (visibility) {
    case "public":
      return { tos: [PUBLIC_COLLECTION], ccs: [followersUri, ...mentioned] };
    case "unlisted":
      return { tos: [followersUri], ccs: [PUBLIC_COLLECTION, ...mentioned] };
    case "private":
      return { tos: [followersUri], ccs: mentioned };
    default:
      return { tos: mentioned, ccs: [] };
  }
}

export interface NoteParts {
  /** For a status with a poll: sent as a Question. */
  poll?: { options: { title: string; votes: number }[]; multiple: boolean; expiresAt: string | null; votersCount: number } | null;
  status: StatusRow;
  author: AccountRow;
  mentioned: AccountRow[];
  tags: TagRow[];
  inReplyToUri: string | null;
  origin: string;
  /** The local custom emojis the text uses: sent as Emoji tags. */
  emojis?: OutgoingEmoji[];
  /** Processed local uploads, in order: Documents with alt text, blurhash, focal point, size. */
  attachments?: OutgoingAttachment[];
  /** Quote and interaction policy fields (FEP-044f; federation/quotes.ts noteQuoteParts). */
  quoteParts?: Record<string, unknown>;
}

export function toNote({ status, author, mentioned, tags, inReplyToUri, origin, poll, emojis = [], attachments = [], quoteParts = {} }: NoteParts): Note | Question {
  const followers = new URL(author.followers_url ?? `${author.uri}/followers`);
  const { tos, ccs } = addressing(status.visibility, followers, mentioned.map((a) => new URL(a.uri)));
  // A post with a poll is a Question: its options are Notes named by the option, with counts.
  const pollValues = poll
    ? {
        [poll.multiple ? "inclusiveOptions" : "exclusiveOptions"]: poll.options.map(
          (o) => new Note({ name: o.title, replies: new Collection({ totalItems: o.votes }) }),
        ),
        endTime: poll.expiresAt ? instant(poll.expiresAt) : null,
        voters: poll.votersCount,
      }
    : {};
  // With media, the subclasses that serve Mastodon's media terms (convert/activitypub/attachments.ts).
  const type = attachments.length ? (poll ? MediaQuestion : MediaNote) : poll ? Question : Note;
  return new type({
    ...pollValues,
    ...quoteParts,
    attachments: attachments.map(toDocument),
    id: new URL(status.uri),
    attribution: new URL(author.uri),
    url: status.url ? new URL(status.url) : null,
    // With a language, both content and contentMap, as Mastodon sends them.
    ...(status.language ? { contents: [status.content, new LanguageString(status.content, status.language)] } : { content: status.content }),
    summary: status.spoiler_text || null,
    sensitive: status.sensitive === 1,
    published: instant(status.created_at),
    updated: status.edited_at ? instant(status.edited_at) : null,
    replyTarget: inReplyToUri ? new URL(inReplyToUri) : null,
    // A local post's replies, as Mastodon links them: the collection other servers read to complete the thread (federation/replies-collection.ts).
    replies: status.local === 1 ? new Collection({ id: new URL(`${status.uri}/replies`), first: new URL(`${status.uri}/replies?cursor=s`) }) : null,
    tos,
    ccs,
    tags: [
      ...mentioned.map((a) => new Mention({ href: new URL(a.uri), name: a.domain ? `@${a.username}@${a.domain}` : `@${a.username}@${new URL(origin).host}` })),
      ...tags.map((t) => new Hashtag({ href: new URL(`${origin}/tags/${encodeURIComponent(t.name)}`), name: `#${t.display_name}` })),
      ...emojis.map(toEmojiTag),
    ],
  });
}

/** The visibility a remote object's addressing expresses. */
export function visibilityOf(object: APObject, followersUri: string | null): Visibility {
  const tos = object.toIds.map((u) => u.href);
  const ccs = object.ccIds.map((u) => u.href);
  const pub = PUBLIC_COLLECTION.href;
  const isPublic = (list: string[]) => list.some((u) => u === pub || u === "as:Public" || u === "Public");
  if (isPublic(tos)) return "public";
  if (isPublic(ccs)) return "unlisted";
  if (followersUri && [...tos, ...ccs].includes(followersUri)) return "private";
  // Servers that name a followers collection we have not recorded still mean "followers only".
  if ([...tos, ...ccs].some((u) => u.endsWith("/followers"))) return "private";
  return "direct";
}


const MAX_ATTACHMENTS = 16;
const BLURHASH = /^[0-9A-Za-z#$%*+,\-.:;=?@[\]^_{|}~]{6,100}$/;

function mediaKind(type: string, mediaType: string | null): IncomingAttachment["type"] {
  const major = mediaType?.split("/")[0];
  if (major === "image" || type === "Image") return "image";
  if (major === "video" || type === "Video") return "video";
  if (major === "audio" || type === "Audio") return "audio";
  return "unknown";
}

function httpUrl(value: unknown): string | null {
  const candidate = Array.isArray(value) ? value[0] : value;
  const href = typeof candidate === "string" ? candidate : (candidate as { href?: unknown } | null)?.href;
  return typeof href === "string" && /^https?:\/\/[^\s]+$/.test(href) ? href : null;
}

function describe(value: unknown): string | null {
  return typeof value === "string" && value.trim() ? stripHtml(value).slice(0, 1500) : null;
}

/**
 * One of Mastodon's own terms (blurhash, focalPoint) of an attachment: by its name as Mastodon
 * sends it, or — when the document was compacted again without Mastodon's context (Fedify does
 * so on the way in) — by its prefixed or full IRI.
 */
function mastodonTerm(node: Record<string, unknown>, term: string): unknown {
  return node[term] ?? node[`toot:${term}`] ?? node[`http://joinmastodon.org/ns#${term}`] ?? null;
}

export interface ParsedPoll {
  options: { title: string; votes: number }[];
  multiple: boolean;
  expiresAt: Date | null;
  votersCount: number | null;
}

const MAX_POLL_OPTIONS = 20;

/** A Question's options and counts (oneOf: one choice; anyOf: several), from the document as received. */
export async function pollOf(question: APObject): Promise<ParsedPoll | null> {
  const raw = (await question.toJsonLd().catch(() => null)) as Record<string, unknown> | null;
  if (!raw) return null;
  const multiple = Array.isArray(raw.anyOf) && raw.anyOf.length > 0;
  const list = (multiple ? raw.anyOf : raw.oneOf) as unknown;
  if (!Array.isArray(list) || list.length === 0) return null;
  const options = list.slice(0, MAX_POLL_OPTIONS).map((item) => {
    const o = (item ?? {}) as { name?: unknown; replies?: { totalItems?: unknown } };
    const votes = Number(o.replies?.totalItems ?? 0);
    return { title: typeof o.name === "string" ? stripHtml(o.name).slice(0, 200) : "", votes: Number.isInteger(votes) && votes >= 0 ? votes : 0 };
  });
  if (options.some((o) => o.title === "")) return null;
  const end = typeof raw.endTime === "string" ? raw.endTime : typeof raw.closed === "string" ? raw.closed : null;
  const expiresAt = end && !Number.isNaN(Date.parse(end)) ? new Date(end) : null;
  const voters = Number(raw.votersCount);
  return { options, multiple, expiresAt, votersCount: Number.isInteger(voters) && voters >= 0 ? voters : null };
}

/**
 * The JSON of objects embedded in an activity, as received: Fedify parses an embedded object
 * through its vocabulary (which drops the terms it does not know), so the inbox remembers the
 * activity's own `object` JSON here for attachmentsOf.
 */
const embeddedJson = new WeakMap<APObject, Record<string, unknown>>();

export async function rememberEmbeddedObject(activity: APObject, object: APObject): Promise<void> {
  const raw = (await activity.toJsonLd().catch(() => null)) as { object?: unknown } | null;
  const embedded = Array.isArray(raw?.object) ? raw.object[0] : raw?.object;
  if (embedded && typeof embedded === "object" && (embedded as { id?: unknown }).id === object.id?.href) embeddedJson.set(object, embedded as Record<string, unknown>);
}

/**
 * A post's attachments, read from the document as received: Fedify's typed vocabulary has no
 * place for Mastodon's `blurhash` and `focalPoint`, which clients need to show media well.
 */
export async function attachmentsOf(note: APObject): Promise<IncomingAttachment[]> {
  const raw = (embeddedJson.get(note) ?? (await note.toJsonLd().catch(() => null))) as { attachment?: unknown } | null;
  const list = Array.isArray(raw?.attachment) ? raw.attachment : raw?.attachment ? [raw.attachment] : [];
  const out: IncomingAttachment[] = [];
  for (const item of list.slice(0, MAX_ATTACHMENTS)) {
    if (typeof item !== "object" || item === null) continue;
    const a = item as Record<string, unknown>;
    const type = String(a.type ?? "");
    if (type === "PropertyValue" || type === "Link" || type === "Hashtag" || type === "Emoji") continue;
    const url = httpUrl(a.url ?? a.href);
    if (!url) continue;
    const mediaType = typeof a.mediaType === "string" ? a.mediaType.slice(0, 100) : null;
    const focalValue = mastodonTerm(a, "focalPoint");
    const focalList = Array.isArray(focalValue) ? focalValue : (focalValue as { "@list"?: unknown } | null)?.["@list"];
    const focal = Array.isArray(focalList) ? focalList.map((v) => Number(typeof v === "object" && v !== null ? (v as { "@value"?: unknown })["@value"] : v)) : null;
    const blurhash = mastodonTerm(a, "blurhash");
    const int = (v: unknown) => (Number.isInteger(v) && (v as number) > 0 && (v as number) < 100_000 ? (v as number) : null);
    out.push({
      type: mediaKind(type, mediaType),
      url,
      mediaType,
      // Alt text: GoToSocial sends it as `summary`, Mastodon as `name`; Mastodon reads summary first.
      description: describe(a.summary) ?? describe(a.name),
      blurhash: typeof blurhash === "string" && BLURHASH.test(blurhash) ? blurhash : null,
      focus: focal && focal.length === 2 && focal.every((n) => Number.isFinite(n) && n >= -1 && n <= 1) ? { x: focal[0], y: focal[1] } : null,
      width: int(a.width),
      height: int(a.height),
    });
  }
  return out;
}

export interface ParsedNote {
  uri: string;
  url: string | null;
  content: string;
  spoilerText: string;
  sensitive: boolean;
  language: string | null;
  inReplyToUri: string | null;
  mentionUris: string[];
  tags: string[];
  published: Date;
  updated: Date | null;
  attachments: IncomingAttachment[];
  poll: ParsedPoll | null;
  /** Its Emoji tags (custom emojis of its server). */
  emojis: IncomingEmoji[];
}

/**
 * Objects Mastodon shows as statuses although they are not notes (its CONVERTED_TYPES: PeerTube
 * videos, Funkwhale tracks, Mobilizon events…): their title, summary and a link to them.
 */
type ConvertedObject = Video | Audio | Image | Event;
const isConverted = (object: unknown): object is ConvertedObject => object instanceof Video || object instanceof Audio || object instanceof Image || object instanceof Event;

export type PostObject = Note | Article | Page | Question | ConvertedObject;

export function isPostObject(object: unknown): object is PostObject {
  return object instanceof Note || object instanceof Article || object instanceof Page || object instanceof Question || isConverted(object);
}

/** Refuses every fetch: tags and links are read only where they are embedded, as on Mastodon. */
const embeddedOnly = { suppressError: true, documentLoader: () => Promise.reject(new Error("not fetched")) };

/** The page a remote object is read at: its `url`, or the text/html one among several links. */
function htmlUrlOf(object: APObject): string | null {
  for (const u of object.urls) {
    if (u instanceof URL) return u.href;
    if (u instanceof Link && u.href && (!u.mediaType || u.mediaType === "text/html")) return u.href.href;
  }
  return null;
}

const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The parts of a remote Note (or Article, Page, Question, converted object) Skein keeps, sanitized. */
export async function fromNote(note: PostObject): Promise<ParsedNote | null> {
  if (!note.id) return null;
  // A vote in a poll is a Note with the option as its name, no content, in reply to the poll
  // (Mastodon, GoToSocial, Misskey): not a post to show.
  if (note instanceof Note && note.name && note.contents.length === 0 && note.replyTargetId) return null;
  let language: string | null = null;
  let content = note.content ? String(note.content) : "";
  for (const value of note.contents) {
    if (value instanceof LanguageString) {
      // The primary language subtag: "zh" of "zh-Hant"; a 3-letter code or "und" is not kept
      // (cutting "ast" would make it "as", another language).
      language = value.locale?.language ?? null;
      if (!content) content = String(value);
      break;
    }
  }
  // Articles and Pages carry a title Mastodon shows above the text.
  if ((note instanceof Article || note instanceof Page) && note.name) content = `<p><strong>${stripHtml(String(note.name))}</strong></p>${content}`;
  const htmlUrl = htmlUrlOf(note);
  // Converted objects read as Mastodon shows them: title, summary, link (their content is often
  // Markdown, e.g. PeerTube's descriptions, or long, e.g. Mobilizon's).
  if (isConverted(note)) {
    const link = escapeHtml(htmlUrl ?? note.id.href);
    content = [note.name && `<p><strong>${stripHtml(String(note.name))}</strong></p>`, note.summary && `<p>${stripHtml(String(note.summary))}</p>`, `<p><a href="${link}">${link}</a></p>`].filter(Boolean).join("");
  }
  // A quote (Misskey's _misskey_quote, Fedibird's quoteUri, quoteUrl, FEP-044f quote) stays a
  // link: "RE: URL" below the text, unless the text already links the quoted post.
  const quote = "quoteUrl" in note ? (note.quoteId ?? note.quoteUrl) : null;
  if (quote && /^https?:$/.test(quote.protocol) && !content.includes(`href="${escapeHtml(quote.href)}"`) && !content.includes(`href="${quote.href}"`)) {
    content += `<p>RE: <a href="${escapeHtml(quote.href)}">${escapeHtml(quote.href)}</a></p>`;
  }
  const mentionUris: string[] = [];
  const tags: string[] = [];
  for await (const tag of note.getTags(embeddedOnly)) {
    if (tag instanceof Mention && tag.href) mentionUris.push(tag.href.href);
    else if (tag instanceof Hashtag && tag.name) {
      const name = String(tag.name).replace(/^#/, "");
      // Once each, whatever the case: some servers repeat a tag (Owncast does), and a status
      // has each tag once.
      if (/^[\p{L}\p{N}_]+$/u.test(name) && !tags.some((t) => t.toLowerCase() === name.toLowerCase())) tags.push(name);
    }
  }
  return {
    uri: note.id.href,
    url: htmlUrl && /^https?:/.test(htmlUrl) ? htmlUrl : null,
    content: sanitizeRemoteHtml(content),
    spoilerText: note.summary && !isConverted(note) ? stripHtml(String(note.summary)).slice(0, 1000) : "",
    sensitive: (note as { sensitive?: boolean }).sensitive === true,
    language: language && /^[a-z]{2}$/.test(language) ? language : null,
    inReplyToUri: note.replyTargetId?.href ?? null,
    mentionUris,
    tags,
    published: toDate(note.published) ?? new Date(),
    updated: toDate(note.updated),
    attachments: await attachmentsOf(note),
    poll: note instanceof Question ? await pollOf(note) : null,
    emojis: await emojisOf(note.getTags(embeddedOnly)),
  };
}
