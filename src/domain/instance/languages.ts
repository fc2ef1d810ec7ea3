// The languages a post may be written in (GET /api/v1/instance/languages): the ISO 639-1 codes,
// plus the few ISO 639-3 ones Mastodon also accepts, with their English names (from ICU).
const ISO_639_1 =
  "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu";
const ISO_639_3 = "ast ckb cnr jbo kab ldn lfn sco sma smj szl tok zba zgh";

/** Names ICU does not know (constructed and newly coded languages). */
const NAMES: Record<string, string> = { cnr: "Montenegrin", ldn: "Láadan", lfn: "Lingua Franca Nova", tok: "Toki Pona", zba: "Balaibalan", jbo: "Lojban" };

export interface Language {
  code: string;
  name: string;
}

let cached: Language[] | null = null;

export function languages(): Language[] {
  if (cached) return cached;
  const display = new Intl.DisplayNames(["en"], { type: "language", fallback: "code" });
  cached = [...ISO_639_1.split(" "), ...ISO_639_3.split(" ")].map((code) => ({ code, name: NAMES[code] ?? display.of(code) ?? code }));
  return cached;
}

