// Avatars and headers of local accounts: an uploaded image is processed at once (small, still
// made when animated, metadata stripped: media/pipeline processProfileImage), stored under
// avatars/… or headers/…, and only then named on the account, together with the other profile
// changes of the same request (one Update to followers). The files it replaces are deleted after
// the account row names the new ones, so no entity ever names a file that is gone.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import type { Stores } from "../../store/stores.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { UserRow } from "../../store/users.ts";
import type { MediaStorage } from "../../storage/media-storage.ts";
import type { ProfileImageResult } from "../../media/types.ts";
import type { AccountService, ProfileChanges } from "../accounts/account-service.ts";

export type ProfileImageKind = "avatar" | "header";

/**
 * The largest avatar or header file accepted, as Mastodon 4.3+ (with libvips) accepts: 8 MB
 * (older Mastodon: 2 MB). What is kept is far smaller: avatars 400×400, headers 1500×500.
 */
export const PROFILE_IMAGE_LIMIT = 8 * 1024 * 1024;

/** Turns an uploaded file into the stored image (and a still, when animated). */
export type ProfileImageProcessor = (input: string, kind: ProfileImageKind, workDir: string) => Promise<ProfileImageResult>;

export interface ProfileImagePorts {
  storage: () => MediaStorage;
  process: ProfileImageProcessor;
}

type ImageColumns = Pick<AccountRow, "avatar_key" | "avatar_static_key" | "header_key" | "header_static_key">;

const COLUMNS = {
  avatar: { image: "avatar_key", still: "avatar_static_key", folder: "avatars" },
  header: { image: "header_key", still: "header_static_key", folder: "headers" },
} as const;

const IMAGE_TYPES: Record<string, string> = { jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", gif: "image/gif", webp: "image/webp", avif: "image/avif" };

/** The type of a stored image, from its key's extension (keys name their type). */
export function imageTypeOfKey(key: string): string | null {
  return IMAGE_TYPES[key.slice(key.lastIndexOf(".") + 1)] ?? null;
}

export class ProfileImageService {
  private readonly stores: Stores;
  private readonly accounts: AccountService;
  /** Set by services.ts (storage and the pipeline). */
  ports: ProfileImagePorts | null = null;

  constructor(stores: Stores, accounts: AccountService) {
    this.stores = stores;
    this.accounts = accounts;
  }

  /**
   * update_credentials with files: the images are processed and stored first (a bad file fails
   * the whole request before anything changes), then the account names them with the other
   * changes, then the replaced files go. The pipeline's MediaError reaches the caller.
   */
  async updateProfile(user: UserRow, changes: ProfileChanges, files: Partial<Record<ProfileImageKind, string>>): Promise<{ account: AccountRow; user: UserRow }> {
    const kinds = (["avatar", "header"] as const).filter((k) => files[k]);
    if (kinds.length === 0) return this.accounts.updateProfile(user, changes);
    const ports = this.requirePorts();
    const before = await this.stores.accounts.byId(user.account_id);
    if (!before) throw new Error("the signed-in user has no account");
    const work = await mkdtemp(path.join(tmpdir(), "skein-profile-"));
    const stored: string[] = [];
    try {
      const columns: Partial<ImageColumns> = {};
      // Both processed before either is stored: one bad file changes nothing.
      const results = new Map<ProfileImageKind, ProfileImageResult>();
      for (const kind of kinds) results.set(kind, await ports.process(files[kind]!, kind, await mkdtemp(path.join(work, `${kind}-`))));
      for (const [kind, result] of results) {
        const names = COLUMNS[kind];
        const base = `${names.folder}/${before.id}-${randomBytes(6).toString("hex")}`;
        const imageKey = `${base}.${result.image.ext}`;
        await ports.storage().put(imageKey, { file: result.image.path }, { contentType: result.image.contentType });
        stored.push(imageKey);
        columns[names.image] = imageKey;
        columns[names.still] = null;
        if (result.static) {
          const stillKey = `${base}-static.${result.static.ext}`;
          await ports.storage().put(stillKey, { file: result.static.path }, { contentType: result.static.contentType });
          stored.push(stillKey);
          columns[names.still] = stillKey;
        }
      }
      const updated = await this.accounts.updateProfile(user, { ...changes, imageKeys: columns });
      stored.length = 0;
      await this.deleteReplaced(before, kinds);
      return updated;
    } catch (error) {
      if (stored.length) await ports.storage().delete(stored).catch(() => {});
      throw error;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /** DELETE /api/v1/profile/avatar|header: back to the placeholder (followers' servers are told). */
  async remove(user: UserRow, kind: ProfileImageKind): Promise<{ account: AccountRow; user: UserRow }> {
    const before = await this.stores.accounts.byId(user.account_id);
    if (!before) throw new Error("the signed-in user has no account");
    const names = COLUMNS[kind];
    if (before[names.image] === null) return { account: before, user };
    const updated = await this.accounts.updateProfile(user, { imageKeys: { [names.image]: null, [names.still]: null } });
    await this.deleteReplaced(before, [kind]);
    return updated;
  }

  private async deleteReplaced(before: AccountRow, kinds: readonly ProfileImageKind[]): Promise<void> {
    const old = kinds.flatMap((k) => [before[COLUMNS[k].image], before[COLUMNS[k].still]]).filter((key): key is string => Boolean(key));
    // A failed delete leaves an orphan for `./skein media prune`, never a broken profile.
    if (old.length && this.ports) await this.ports.storage().delete(old).catch(() => {});
  }

  private requirePorts(): ProfileImagePorts {
    if (!this.ports) throw new Error("profile images need the media storage and pipeline");
    return this.ports;
  }
}
