// The profile's own parameters, read alike by PATCH /api/v1/accounts/update_credentials and
// PATCH /api/v1/profile (the account service applies them; see ProfileImages.updateProfile).
import { ApiError } from "../../errors.ts";
import { bool, str, type Params } from "../../params.ts";

/**
 * `fields_attributes` arrives as an array (JSON, or `fields_attributes[][name]` forms) or as an
 * object keyed "0", "1"… (forms). A bare string is no list of fields and is ignored, as Rails'
 * permitted parameters ignore it: masto.js sends `fields_attributes=undefined` for an absent one.
 */
export function profileFields(value: unknown): { name: string; value: string }[] | undefined {
  if (value === undefined || value === null || typeof value === "string") return undefined;
  const list = Array.isArray(value) ? value : typeof value === "object" && value !== null ? Object.values(value) : null;
  if (!list) throw new ApiError(422, "fields_attributes must be a list of {name, value}");
  return list.map((f) => {
    const field = f as Params;
    return { name: str(field, "name", 1000) ?? "", value: str(field, "value", 1000) ?? "" };
  });
}

/** The changes both profile routes accept (fields they do not get stay as they are). */
export function profileChangesOf(params: Params) {
  return {
    displayName: str(params, "display_name", 1000),
    note: str(params, "note", 5000),
    fields: profileFields(params.fields_attributes),
    locked: bool(params, "locked"),
    bot: bool(params, "bot"),
    discoverable: bool(params, "discoverable"),
    indexable: bool(params, "indexable"),
  };
}
