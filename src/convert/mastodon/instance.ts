// What the server knows about itself → Mastodon's Instance (v2) and V1Instance entities.
import { toRule } from "./instance-pages.ts";
import type { InstanceFacts } from "../../domain/instance/instance-service.ts";
import { LIMITS, SUPPORTED_MIME_TYPES } from "../../domain/instance/instance-service.ts";
import { MASTODON_API_VERSION, MASTODON_COMPAT_VERSION } from "../../version.ts";
import { toAccount, type ConvertContext } from "./account.ts";

function versionString(facts: InstanceFacts): string {
  return `${MASTODON_COMPAT_VERSION} (compatible; Skein ${facts.version})`;
}

function streamingUrl(facts: InstanceFacts): string {
  return facts.config.origin.replace(/^http/, "ws");
}

function thumbnailUrl(facts: InstanceFacts): string {
  return `${facts.config.origin}/instance/thumbnail.png`;
}

const statusLimits = {
  max_characters: LIMITS.statusCharacters,
  max_media_attachments: LIMITS.mediaAttachments,
  characters_reserved_per_url: LIMITS.charactersReservedPerUrl,
};

/** The upload limits; the accepted types are the pipeline's (video and audio only with ffmpeg), when known. */
const mediaLimitsOf = (facts: InstanceFacts) => ({
  supported_mime_types: facts.mediaTypes ?? SUPPORTED_MIME_TYPES,
  image_size_limit: LIMITS.imageSizeLimit,
  image_matrix_limit: LIMITS.imageMatrixLimit,
  video_size_limit: LIMITS.videoSizeLimit,
  video_frame_rate_limit: LIMITS.videoFrameRateLimit,
  video_matrix_limit: LIMITS.videoMatrixLimit,
  description_limit: LIMITS.mediaDescriptionLength,
});

const pollLimits = {
  max_options: LIMITS.pollOptions,
  max_characters_per_option: LIMITS.pollOptionCharacters,
  min_expiration: LIMITS.pollMinExpiration,
  max_expiration: LIMITS.pollMaxExpiration,
};

export function toInstanceV2(facts: InstanceFacts, ctx: ConvertContext) {
  const { config } = facts;
  return {
    domain: config.localDomain,
    title: config.instance.title,
    version: versionString(facts),
    source_url: config.instance.sourceUrl,
    description: config.instance.description,
    usage: { users: { active_month: facts.userCount } },
    thumbnail: { url: thumbnailUrl(facts), blurhash: null, versions: {} },
    icon: [],
    languages: ["en"],
    configuration: {
      urls: { streaming: streamingUrl(facts), status: null, about: `${config.origin}/about`, privacy_policy: `${config.origin}/privacy-policy`, terms_of_service: facts.hasTermsOfService ? `${config.origin}/terms-of-service` : null },
      vapid: { public_key: facts.vapidPublicKey },
      accounts: {
        max_featured_tags: LIMITS.featuredTags,
        max_pinned_statuses: LIMITS.pinnedStatuses,
        max_profile_fields: LIMITS.profileFields,
        max_display_name_length: LIMITS.displayNameLength,
        max_note_length: LIMITS.noteLength,
        profile_field_name_limit: LIMITS.fieldNameLength,
        profile_field_value_limit: LIMITS.fieldValueLength,
      },
      statuses: statusLimits,
      media_attachments: mediaLimitsOf(facts),
      polls: pollLimits,
      translation: { enabled: false },
      // Allowlist mode: only allowed servers federate (Mastodon announces its LIMITED_FEDERATION_MODE the same way).
      limited_federation: config.federationMode === "allowlist",
    },
    registrations: {
      enabled: registrationsOf(facts).mode !== "closed",
      approval_required: registrationsOf(facts).mode === "approval",
      reason_required: registrationsOf(facts).mode === "approval" && registrationsOf(facts).reasonRequired,
      message: registrationsOf(facts).message ? `<p>${escapeText(registrationsOf(facts).message!)}</p>` : null,
      url: registrationsOf(facts).mode === "closed" ? null : `${config.origin}/auth/sign_up`,
      min_age: registrationsOf(facts).minAge,
    },
    api_versions: { mastodon: MASTODON_API_VERSION },
    contact: {
      email: config.instance.contactEmail,
      account: facts.contactAccount ? toAccount(facts.contactAccount, ctx) : null,
    },
    rules: (facts.rules ?? []).map(toRule),
  };
}

export function toInstanceV1(facts: InstanceFacts, ctx: ConvertContext) {
  const { config } = facts;
  return {
    uri: config.localDomain,
    title: config.instance.title,
    short_description: config.instance.description,
    description: config.instance.description,
    email: config.instance.contactEmail,
    version: versionString(facts),
    urls: { streaming_api: streamingUrl(facts) },
    stats: { user_count: facts.userCount, status_count: facts.statusCount, domain_count: 0 },
    thumbnail: thumbnailUrl(facts),
    languages: ["en"],
    registrations: registrationsOf(facts).mode !== "closed",
    approval_required: registrationsOf(facts).mode === "approval",
    invites_enabled: registrationsOf(facts).mode !== "closed",
    configuration: {
      accounts: { max_featured_tags: LIMITS.featuredTags },
      statuses: statusLimits,
      media_attachments: mediaLimitsOf(facts),
      polls: pollLimits,
    },
    contact_account: facts.contactAccount ? toAccount(facts.contactAccount, ctx) : null,
    rules: (facts.rules ?? []).map(toRule),
  };
}

/** The registration settings in force (the admin's, else REGISTRATIONS from the configuration). */
function registrationsOf(facts: InstanceFacts): { mode: string; reasonRequired: boolean; minAge: number | null; message: string | null } {
  return facts.registrations ?? { mode: facts.config.instance.registrations, reasonRequired: false, minAge: null, message: null };
}

function escapeText(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
