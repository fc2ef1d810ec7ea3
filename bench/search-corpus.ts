// Post texts for `./skein bench search`: words drawn from a Zipf distribution over a generated
// vocabulary (so a few words are in nearly every post and most are rare, as in real text), with
// a share of German and Japanese posts and a few planted phrases. Deterministic: the same seed
// gives the same corpus, so the queries below always have the frequencies they claim.

export interface CorpusPost {
  text: string;
  language: "en" | "de" | "ja";
}

const SYLLABLES = ["ka", "lo", "mi", "ren", "tas", "ve", "dor", "pi", "sun", "ell", "ar", "mo", "qui", "ze", "fan", "tri", "bo", "nel", "os", "ut"];
const GERMAN = ["Häuser", "Straße", "Fahrrad", "Bahnhof", "Wetter", "Frühstück", "Gemüse", "Brücke", "Kindergarten", "Zeitung", "Wohnung", "Feierabend"];
const JAPANESE = ["東京", "天気", "電車", "猫", "コーヒー", "図書館", "桜", "ラーメン", "散歩", "写真", "週末", "友達"];
/** Planted in one post in a hundred each, so phrase queries have known, common-ish frequencies. */
export const PHRASES = ["open source", "climate change", "public transport", "federated timeline"];

export const VOCABULARY_SIZE = 50_000;

/** Deterministic pseudo-random numbers in [0, 1). */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The word at Zipf rank `rank` (0 is the most frequent): distinct, pronounceable, lowercase. */
export function wordAt(rank: number): string {
  let n = rank;
  let word = "";
  do {
    word += SYLLABLES[n % SYLLABLES.length];
    n = Math.floor(n / SYLLABLES.length);
  } while (n > 0);
  return word;
}

export class Corpus {
  private readonly rand: () => number;
  private readonly cumulative: Float64Array;

  constructor(seed = 7) {
    this.rand = random(seed);
    this.cumulative = new Float64Array(VOCABULARY_SIZE);
    let total = 0;
    for (let r = 0; r < VOCABULARY_SIZE; r++) this.cumulative[r] = total += 1 / (r + 1);
    for (let r = 0; r < VOCABULARY_SIZE; r++) this.cumulative[r] /= total;
  }

  private zipfRank(): number {
    const x = this.rand();
    let lo = 0;
    let hi = VOCABULARY_SIZE - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** 8–40 words; 4 % German and 3 % Japanese posts carry words of their language. */
  next(): CorpusPost {
    const length = 8 + Math.floor(this.rand() * 33);
    const words: string[] = [];
    for (let i = 0; i < length; i++) words.push(wordAt(this.zipfRank()));
    const roll = this.rand();
    let language: CorpusPost["language"] = "en";
    if (roll < 0.04) {
      language = "de";
      words.splice(Math.floor(this.rand() * words.length), 0, GERMAN[Math.floor(this.rand() * GERMAN.length)]);
    } else if (roll < 0.07) {
      language = "ja";
      const phrase = Array.from({ length: 3 }, () => JAPANESE[Math.floor(this.rand() * JAPANESE.length)]).join("の");
      words.splice(Math.floor(this.rand() * words.length), 0, phrase);
    }
    if (this.rand() < 0.04) words.splice(Math.floor(this.rand() * words.length), 0, PHRASES[Math.floor(this.rand() * PHRASES.length)]);
    return { text: words.join(" "), language };
  }
}

/** Query sets by kind: the most frequent words, words of rank 10k–50k, planted phrases, CJK and German words. */
export function benchQueries(): Record<"common" | "rare" | "phrase" | "cjk_german", string[]> {
  return {
    common: [0, 1, 2, 3, 5, 8, 13, 21].map(wordAt),
    rare: [12_000, 17_500, 23_000, 29_000, 34_500, 40_000, 45_000, 49_000].map(wordAt),
    phrase: PHRASES.map((p) => `"${p}"`),
    cjk_german: ["東京", "コーヒー", "図書館", "Häuser", "Fahrrad", "Frühstück"],
  };
}
