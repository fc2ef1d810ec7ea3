// Dashboard figures → Mastodon's Admin::Measure and Admin::Dimension entities: every number is
// a string on the wire (total, previous_total, each day's value), as Mastodon sends them and
// tools parse them (FediBlockHole reads int(measures[0].total)).
import type { Dimension, Measure } from "../../../domain/moderation/measures.ts";

export function toAdminMeasure(measure: Measure) {
  return {
    key: measure.key,
    unit: measure.unit,
    total: String(measure.total),
    ...(measure.unit === "bytes" ? { human_value: humanBytes(measure.total) } : {}),
    ...(measure.previousTotal !== undefined ? { previous_total: String(measure.previousTotal) } : {}),
    data: measure.data.map((point) => ({ date: point.date, value: String(point.value) })),
  };
}

export function toAdminDimension(dimension: Dimension) {
  return {
    key: dimension.key,
    data: dimension.data.map((item) => ({
      key: item.key,
      human_key: item.humanKey,
      value: item.value,
      ...(item.unit !== undefined ? { unit: item.unit } : {}),
      ...(item.humanValue !== undefined ? { human_value: item.humanValue } : {}),
    })),
  };
}

/** Bytes as Mastodon's dashboard writes them (1024-based: "1.5 MB"); the admin console uses it too. */
export function humanBytes(bytes: number): string {
  const units = ["Bytes", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} ${units[0]}` : `${value.toFixed(1)} ${units[unit]}`;
}
