// Which failed fetches of a remote document may succeed if tried again. An inbox listener that
// needs a document it cannot get now (the sender's actor, a post named by its id) must not drop
// the activity for a failure that passes — a connection reset, a timeout, a server busy for a
// moment — or the activity is lost for good, with no error anywhere: it throws instead, and
// Fedify processes the activity again later (exponential backoff, ten attempts). A document the
// other server says is not there (404, 410, 403 …), or one Skein refuses to fetch (the domain
// policy, a private address, the size bounds), is final: null.
import { FetchError } from "@fedify/fedify";

/** Whether `error`, from fetching a remote document, may not happen on another try. */
export function isTransientFetchFailure(error: unknown): boolean {
  if (error instanceof FetchError) {
    // No response: refused before any answer (policy, bounds, redirects), not a network failure.
    const status = error.response?.status;
    return status !== undefined && (status >= 500 || status === 408 || status === 429);
  }
  if (!(error instanceof Error)) return false;
  // AbortSignal.timeout (document-loaders.ts) and the HTTP client's own timeouts.
  if (error.name === "TimeoutError" || error.name === "AbortError") return true;
  // fetch's network failure (reset, refused, timed out); a refused address stays refused.
  if (error instanceof TypeError && error.message === "fetch failed") {
    return (error.cause as { code?: string } | undefined)?.code !== "ERR_PRIVATE_ADDRESS";
  }
  return false;
}

/** The fetched value, or null when fetching failed for good; a failure that may pass is thrown. */
export async function fetchedOrNull<T>(fetching: Promise<T>): Promise<T | null> {
  try {
    return await fetching;
  } catch (error) {
    if (isTransientFetchFailure(error)) throw error;
    return null;
  }
}
