// Markers → Mastodon's map of timeline name → Marker.
import type { MarkerRow } from "../../store/markers.ts";

export function toMarkers(rows: readonly MarkerRow[]): Record<string, { last_read_id: string; version: number; updated_at: string }> {
  const out: Record<string, { last_read_id: string; version: number; updated_at: string }> = {};
  for (const row of rows) out[row.timeline] = { last_read_id: row.last_read_id, version: Number(row.version), updated_at: row.updated_at };
  return out;
}
