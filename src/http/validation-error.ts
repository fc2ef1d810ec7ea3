// Mastodon's ValidationError body, {error, details: {field: [{error, description}]}}, which the
// API contract asks of some endpoints' 422 answers (markers, notification policy).
import type { Context } from "hono";

export function validationError(c: Context, field: string, code: "ERR_INVALID" | "ERR_BLANK" | "ERR_INCLUSION", description: string) {
  return c.json({ error: `Validation failed: ${description}`, details: { [field]: [{ error: code, description }] } }, 422);
}
