// Custom emojis: this server's own (added by an admin from an image file: `./skein emoji add`),
// listed for clients (GET /api/v1/custom_emojis), and those of other servers, stored from the
// Emoji tags of their posts and profiles so that `:shortcode:` shows as their image here.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import type { Stores } from "../../store/stores.ts";
import type { CustomEmojiRow } from "../../store/media/emojis.ts";
import type { MediaStorage } from "../../storage/media-storage.ts";
import type { EmojiResult } from "../../media/types.ts";
import { MediaError } from "../../media/types.ts";
import { DomainError, notFound, validationFailed } from "../errors.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { EmojiCatalog, MAX_LOCAL_EMOJIS } from "./emoji-catalog.ts";
import { SHORTCODE_PATTERN } from "./shortcodes.ts";

/** An Emoji tag of a remote post or actor, as convert/activitypub read it. */
export interface IncomingEmoji {
  shortcode: string;
  /** The Emoji object's id. */
  uri: string | null;
  /** Its image on its server. */
  url: string;
  mediaType: string | null;
}

/** Emoji tags read from one post or actor, at most (the rest are ignored). */
export const MAX_EMOJI_TAGS = 50;
/** The largest image file an admin may add as an emoji (as Mastodon: 256 KB; the pipeline holds to it too). */
export const EMOJI_UPLOAD_LIMIT = 256 * 1024;
const CATEGORY_LENGTH = 64;

/** Turns an emoji image file into the stored image and still (media/pipeline processEmoji). */
export type EmojiImageProcessor = (input: string, workDir: string) => Promise<EmojiResult>;

export interface EmojiPorts {
  storage: () => MediaStorage;
  process: EmojiImageProcessor;
}

export class EmojiService {
  private readonly stores: Stores;
  readonly catalog: EmojiCatalog;
  /** Set by services.ts (storage and the pipeline); adding local emojis needs them. */
  ports: EmojiPorts | null = null;

  constructor(stores: Stores) {
    this.stores = stores;
    this.catalog = new EmojiCatalog(stores);
  }

  /** Adds a local emoji from an image file (PNG, GIF, WebP…; animated ones keep moving). */
  async addLocal(input: { shortcode: string; file: string; category?: string | null; visibleInPicker?: boolean }): Promise<CustomEmojiRow> {
    const shortcode = input.shortcode.replace(/^:|:$/g, "");
    if (!SHORTCODE_PATTERN.test(shortcode)) throw validationFailed("Validation failed: a shortcode is 2 to 64 letters, digits or underscores");
    const category = input.category?.trim() || null;
    if (category && category.length > CATEGORY_LENGTH) throw validationFailed(`Validation failed: a category has at most ${CATEGORY_LENGTH} characters`);
    if (await this.stores.emojis.byShortcode(shortcode, "")) throw new DomainError("conflict", `An emoji :${shortcode}: already exists`);
    if ((await this.stores.emojis.local({ includeDisabled: true, limit: MAX_LOCAL_EMOJIS })).length >= MAX_LOCAL_EMOJIS) {
      throw validationFailed(`Validation failed: at most ${MAX_LOCAL_EMOJIS} local emojis`);
    }
    const ports = this.requirePorts();
    const work = await mkdtemp(path.join(tmpdir(), "skein-emoji-"));
    const id = newId();
    const stored: string[] = [];
    try {
      let result: EmojiResult;
      try {
        result = await ports.process(input.file, work);
      } catch (error) {
        if (error instanceof MediaError) throw validationFailed(`Validation failed: ${error.message}`);
        throw error;
      }
      const token = randomBytes(6).toString("hex");
      const imageKey = `emojis/${id}-${token}.${result.image.ext}`;
      const staticKey = `emojis/${id}-${token}-static.${result.static.ext}`;
      const storage = ports.storage();
      await storage.put(imageKey, { file: result.image.path }, { contentType: result.image.contentType });
      stored.push(imageKey);
      await storage.put(staticKey, { file: result.static.path }, { contentType: result.static.contentType });
      stored.push(staticKey);
      const now = nowIso();
      const row: CustomEmojiRow = {
        id, shortcode, domain: "", uri: null, image_remote_url: null, image_key: imageKey, static_key: staticKey,
        image_size: result.image.size, content_type: result.image.contentType, category,
        visible_in_picker: input.visibleInPicker === false ? 0 : 1, disabled: 0, created_at: now, updated_at: now,
      };
      await this.stores.emojis.insert(row);
      await this.catalog.changed();
      return row;
    } catch (error) {
      // Nothing half-made stays: files stored before the failure go again.
      if (stored.length) await ports.storage().delete(stored).catch(() => {});
      throw error;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /** This server's emojis (disabled ones too, for admins). */
  listLocal(includeDisabled = true): Promise<CustomEmojiRow[]> {
    return this.stores.emojis.local({ includeDisabled, limit: MAX_LOCAL_EMOJIS });
  }

  categories(): Promise<string[]> {
    return this.stores.emojis.categories();
  }

  /** Disabled emojis stay stored but show nowhere (the picker, posts, names). */
  async setDisabled(shortcode: string, disabled: boolean): Promise<CustomEmojiRow> {
    const row = await this.localOrThrow(shortcode);
    await this.stores.emojis.update(row.id, { disabled: disabled ? 1 : 0, updated_at: nowIso() });
    await this.catalog.changed();
    return (await this.stores.emojis.byId(row.id))!;
  }

  async setCategory(shortcode: string, category: string | null): Promise<CustomEmojiRow> {
    const row = await this.localOrThrow(shortcode);
    const value = category?.trim() || null;
    if (value && value.length > CATEGORY_LENGTH) throw validationFailed(`Validation failed: a category has at most ${CATEGORY_LENGTH} characters`);
    await this.stores.emojis.update(row.id, { category: value, updated_at: nowIso() });
    await this.catalog.changed();
    return (await this.stores.emojis.byId(row.id))!;
  }

  /** Removes a local emoji and its files (the row first: no entity names a file that is gone). */
  async remove(shortcode: string): Promise<void> {
    const row = await this.localOrThrow(shortcode);
    await this.stores.emojis.delete(row.id);
    await this.catalog.changed();
    const keys = [row.image_key, row.static_key].filter((k): k is string => Boolean(k));
    if (keys.length && this.ports) await this.ports.storage().delete(keys);
  }

  /** A local emoji by id, for its ActivityPub object (null: none, or disabled). */
  async localById(id: string): Promise<CustomEmojiRow | null> {
    const row = await this.stores.emojis.byId(id);
    return row && row.domain === "" && !row.disabled ? row : null;
  }

  /**
   * Stores the Emoji tags of a post or actor of `domain` (their server is the only one that may
   * name them): new ones inserted, changed images refreshed, at most MAX_EMOJI_TAGS per object.
   */
  async saveRemote(domain: string, emojis: readonly IncomingEmoji[] | undefined): Promise<void> {
    if (!emojis?.length || !domain) return;
    const now = nowIso();
    const seen = new Set<string>();
    for (const emoji of emojis.slice(0, MAX_EMOJI_TAGS)) {
      if (!SHORTCODE_PATTERN.test(emoji.shortcode) || seen.has(emoji.shortcode)) continue;
      seen.add(emoji.shortcode);
      await this.stores.emojis.upsertRemote({
        id: newId(), shortcode: emoji.shortcode, domain, uri: emoji.uri, image_remote_url: emoji.url, image_key: null, static_key: null,
        image_size: 0, content_type: emoji.mediaType, category: null, visible_in_picker: 0, disabled: 0, created_at: now, updated_at: now,
      });
      // Known at once in this process (other processes ask again within the catalog's miss TTL).
      const row = await this.stores.emojis.byShortcode(emoji.shortcode, domain);
      if (row) this.catalog.remember(row);
    }
  }

  private async localOrThrow(shortcode: string): Promise<CustomEmojiRow> {
    const row = await this.stores.emojis.byShortcode(shortcode.replace(/^:|:$/g, ""), "");
    if (!row) throw notFound(`No local emoji :${shortcode.replace(/^:|:$/g, "")}:`);
    return row;
  }

  private requirePorts(): EmojiPorts {
    if (!this.ports) throw new Error("the emoji service has no media storage or pipeline");
    return this.ports;
  }
}
