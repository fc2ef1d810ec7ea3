// Small line charts drawn on the server as inline SVG: no chart library and no script (the
// console's CSP allows none). Each chart is an image with a <title> and a <desc> saying what it
// shows and its latest and highest values, and the figures follow in a table for those who
// cannot see it. Many samples are reduced to at most MAX_POINTS, each the highest value of its
// stretch of time, so that a short spike still shows.
import { html, raw } from "hono/html";

export interface ChartSeries {
  label: string;
  points: readonly { t: number; v: number }[];
}

export interface ChartOptions {
  /** The element's id (also the prefix of its title's and description's ids). */
  id: string;
  title: string;
  /** What is measured and how, for the description. */
  about: string;
  /** The time shown, in milliseconds since the epoch. */
  from: number;
  to: number;
  /** How a value reads ("12 jobs", "1.5/s", "3.2 MB"). */
  format(value: number): string;
  /** The scale's top is at least this (a flat line at zero still has a readable scale); 1 by default. */
  minTop?: number;
  /** One or two lines; the second is dashed. */
  series: readonly ChartSeries[];
}

/** Decimal units (1 MB = 1,000,000 bytes), so that a scale's 1-2-5 steps read as round figures. */
export function decimalBytes(v: number): string {
  const units = ["bytes", "kB", "MB", "GB", "TB"];
  let value = v;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} bytes` : `${Number(value.toFixed(1))} ${units[unit]}`;
}

const WIDTH = 640;
const HEIGHT = 170;
const PAD = { left: 70, right: 12, top: 10, bottom: 24 };
const MAX_POINTS = 240;
const STROKES = [
  { color: "#1d4ed8", dash: "" },
  { color: "#b45309", dash: "6 4" },
];

/** The highest value of each of at most `buckets` equal stretches of [from, to]. */
export function reduce(points: readonly { t: number; v: number }[], from: number, to: number, buckets = MAX_POINTS): { t: number; v: number }[] {
  if (points.length <= buckets) return [...points];
  const width = (to - from) / buckets;
  const out = new Map<number, { t: number; v: number }>();
  for (const p of points) {
    const b = Math.min(buckets - 1, Math.max(0, Math.floor((p.t - from) / width)));
    const seen = out.get(b);
    if (!seen || p.v > seen.v) out.set(b, { t: p.t, v: p.v });
  }
  return [...out.values()].sort((a, b) => a.t - b.t);
}

/** 1, 2 or 5 times a power of ten, at least `value`: the top of the scale. */
export function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

const clock = (t: number, long: boolean) => {
  const iso = new Date(t).toISOString();
  return long ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16);
};

export function lineChart(options: ChartOptions) {
  const series = options.series.map((s) => ({ ...s, points: reduce(s.points, options.from, options.to) }));
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return html`<p class="hint" id="${options.id}">${options.title}: no samples yet (one is taken every minute).</p>`;
  const top = niceCeiling(Math.max(options.minTop ?? 1, ...all.map((p) => p.v)));
  const span = Math.max(1, options.to - options.from);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (t: number) => (PAD.left + ((t - options.from) / span) * plotW).toFixed(1);
  const y = (v: number) => (PAD.top + plotH - (v / top) * plotH).toFixed(1);
  // Times with their date when the chart spans more than one day.
  const long = new Date(options.from).toISOString().slice(0, 10) !== new Date(options.to).toISOString().slice(0, 10);
  const middle = options.from + span / 2;
  const summary = options.series
    .map((s) => {
      if (s.points.length === 0) return `${s.label}: no samples`;
      const last = s.points.at(-1)!.v;
      const high = Math.max(...s.points.map((p) => p.v));
      return `${s.label}: ${options.format(last)} now, highest ${options.format(high)}`;
    })
    .join("; ");
  const gridValues = [0, top / 2, top];
  const lines = series.map((s, i) => {
    if (s.points.length === 0) return "";
    const stroke = STROKES[i % STROKES.length];
    const coords = s.points.map((p) => `${x(p.t)},${y(p.v)}`).join(" ");
    const last = s.points.at(-1)!;
    return html`<polyline data-series="${s.label}" fill="none" stroke="${stroke.color}" stroke-width="2"${stroke.dash ? raw(` stroke-dasharray="${stroke.dash}"`) : ""} points="${coords}"/><circle cx="${x(last.t)}" cy="${y(last.v)}" r="3" fill="${stroke.color}"/>`;
  });
  return html`<figure class="chart">
<svg id="${options.id}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" role="img" aria-labelledby="${options.id}-title ${options.id}-desc" xmlns="http://www.w3.org/2000/svg">
<title id="${options.id}-title">${options.title}</title>
<desc id="${options.id}-desc">${options.about} ${clock(options.from, long)} to ${clock(options.to, long)} UTC. ${summary}.</desc>
${gridValues.map((v) => html`<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(v)}" y2="${y(v)}" stroke="#d1d5db" stroke-width="1"/><text x="${PAD.left - 6}" y="${Number(y(v)) + 4}" text-anchor="end" font-size="11" fill="#374151">${options.format(v)}</text>`)}
<text x="${PAD.left}" y="${HEIGHT - 6}" font-size="11" fill="#374151">${clock(options.from, long)}</text>
<text x="${x(middle)}" y="${HEIGHT - 6}" text-anchor="middle" font-size="11" fill="#374151">${clock(middle, long)}</text>
<text x="${WIDTH - PAD.right}" y="${HEIGHT - 6}" text-anchor="end" font-size="11" fill="#374151">${clock(options.to, long)} UTC</text>
${lines}
</svg>
<figcaption><strong>${options.title}</strong>${options.series.length > 1 ? html` — ${options.series.map((s, i) => html`<span class="legend">${i === 0 ? "solid" : "dashed"}: ${s.label}</span>${i < options.series.length - 1 ? ", " : ""}`)}` : ""}. <span class="hint">${summary}.</span></figcaption>
</figure>`;
}
