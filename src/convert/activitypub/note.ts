// Statuses ↔ ActivityStreams Notes, with Mastodon's addressing for each visibility:
//   public:   to Public,    cc followers + mentioned
//   unlisted: to followers, cc Public + mentioned
//   private:  to followers, cc mentioned
//   direct:   to mentioned
import { Article, Hashtag, LanguageString, Mention, Note, Page, PUBLIC_COLLECTION, Question, type Object as APObject } from "@fedify/vocab";
import type { StatusRow, TagRow } from "../../store/statuses.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { Visibility } from "../../db/schema.ts";
import { instant, toDate } from "./time.ts";
import { sanitizeRemoteHtml, stripHtml } from "./sanitize.ts";

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
  status: StatusRow;
  author: AccountRow;
  mentioned: AccountRow[];
  tags: TagRow[];
  inReplyToUri: string | null;
  origin: string;
}

export function toNote({ status, author, mentioned, tags, inReplyToUri, origin }: NoteParts): Note {
  const followers = new URL(author.followers_url ?? `${author.uri}/followers`);
  const { tos, ccs } = addressing(status.visibility, followers, mentioned.map((a) => new URL(a.uri)));
  return new Note({
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
    tos,
    ccs,
    tags: [
      ...mentioned.map((a) => new Mention({ href: new URL(a.uri), name: a.domain ? `@${a.username}@${a.domain}` : `@${a.username}@${new URL(origin).host}` })),
      ...tags.map((t) => new Hashtag({ href: new URL(`${origin}/tags/${encodeURIComponent(t.name)}`), name: `#${t.display_name}` })),
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
}

export function isPostObject(object: unknown): object is Note | Article | Page | Question {
  return object instanceof Note || object instanceof Article || object instanceof Page || object instanceof Question;
}

/** The parts of a remote Note (or Article, Page, Question) Skein keeps, sanitized. */
export async function fromNote(note: Note | Article | Page | Question): Promise<ParsedNote | null> {
  if (!note.id) return null;
  let language: string | null = null;
  let content = note.content ? String(note.content) : "";
  for (const value of note.contents) {
    if (value instanceof LanguageString) {
      language = value.locale?.language?.slice(0, 2) ?? null;
      if (!content) content = String(value);
      break;
    }
  }
  // Articles and Pages carry a title Mastodon shows above the text.
  if ((note instanceof Article || note instanceof Page) && note.name) content = `<p><strong>${stripHtml(String(note.name))}</strong></p>${content}`;
  const mentionUris: string[] = [];
  const tags: string[] = [];
  for await (const tag of note.getTags()) {
    if (tag instanceof Mention && tag.href) mentionUris.push(tag.href.href);
    else if (tag instanceof Hashtag && tag.name) {
      const name = String(tag.name).replace(/^#/, "");
      if (/^[\p{L}\p{N}_]+$/u.test(name)) tags.push(name);
    }
  }
  const url = note.url instanceof URL ? note.url.href : null;
  return {
    uri: note.id.href,
    url: url && /^https?:/.test(url) ? url : null,
    content: sanitizeRemoteHtml(content),
    spoilerText: note.summary ? stripHtml(String(note.summary)).slice(0, 1000) : "",
    sensitive: (note as { sensitive?: boolean }).sensitive === true,
    language: language && /^[a-z]{2}$/.test(language) ? language : null,
    inReplyToUri: note.replyTargetId?.href ?? null,
    mentionUris,
    tags,
    published: toDate(note.published) ?? new Date(),
    updated: toDate(note.updated),
  };
}
