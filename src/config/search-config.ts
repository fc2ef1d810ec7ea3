// Full-text search settings (domain/search; read by config.ts, which alone reads the environment):
//   SEARCH_INDEXING    off: new and edited posts are not indexed (for bulk imports; run
//                      `./skein search reindex` afterwards). Default on.

export interface SearchConfig {
  /** Whether posts are indexed as they are written and received. */
  indexing: boolean;
}

export function loadSearchConfig(env: Record<string, string | undefined>, problems: string[]): SearchConfig {
  const text = env.SEARCH_INDEXING?.trim().toLowerCase();
  if (!text || ["on", "true", "1"].includes(text)) return { indexing: true };
  if (["off", "false", "0"].includes(text)) return { indexing: false };
  problems.push(`SEARCH_INDEXING must be on or off (got "${text.slice(0, 40)}")`);
  return { indexing: true };
}
