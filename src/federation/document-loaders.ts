// The loaders through which Fedify fetches every remote document — actors, keys, posts,
// collections, JSON-LD contexts — plain, cached or signed with the instance actor's key. They are
// Fedify's own loaders, with one addition: a document outside REMOTE_JSON_LIMITS (too deep, too
// many values or objects, a NUL character) is refused before anything reads it, as an inbox body
// is — and a document must arrive whole within FETCH_LIMITS.totalTimeoutMs. The HTTP client under
// them (http-client.ts) bounds bytes and the addresses connected to. Nothing is fetched from a
// server the domain policy does not federate with (suspended, or not allowed in allowlist mode):
// that check wraps the cache too, so a document cached before the block is not served either.
// JSON-LD contexts are the exception in allowlist mode: they live on vocabulary hosts (w3id.org,
// www.w3.org…) that are not servers one federates with, so only a suspension refuses them.
import {
  FetchError,
  getAuthenticatedDocumentLoader,
  getDocumentLoader,
  kvCache,
  type DocumentLoader,
  type FederationOptions,
  type GetUserAgentOptions,
  type HttpMessageSignaturesSpec,
  type KvStore,
} from "@fedify/fedify";
import { checkJsonValue } from "./remote-json.ts";
import { FETCH_LIMITS } from "./http-client.ts";

type LoaderFactories = Pick<FederationOptions<void>, "documentLoaderFactory" | "contextLoaderFactory" | "authenticatedDocumentLoaderFactory">;

// Fedify's own key prefixes, so caches written before these loaders existed stay valid.
export const REMOTE_DOCUMENTS = ["_fedify", "remoteDocument"] as const;
const SIGNATURE_SPECS = ["_fedify", "httpMessageSignaturesSpec"] as const;

/**
 * A loader that gives up after `timeoutMs` however slowly the document arrives, and refuses
 * documents outside the bounds (with a FetchError, as for a failed fetch).
 */
export function boundedLoader(load: DocumentLoader, timeoutMs: number = FETCH_LIMITS.totalTimeoutMs): DocumentLoader {
  return async (url, options) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = options?.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    const remote = await load(url, { ...options, signal });
    const refusal = checkJsonValue(remote.document);
    if (refusal) throw new FetchError(url, `Refused the document at ${url}: ${refusal}`);
    return remote;
  };
}

/**
 * A loader that asks for a URL without its fragment. An HTTP request never carries one, so a key
 * (https://host/users/a#main-key) and its actor (https://host/users/a) are one document: fetched
 * and cached once, where the inbox's signature check fetched the key and then its listener the
 * actor — two requests to the sender's server for every new sender, either of which could fail.
 */
export function withoutFragment(load: DocumentLoader): DocumentLoader {
  return (url, options) => {
    const hash = url.indexOf("#");
    return load(hash < 0 ? url : url.slice(0, hash), options);
  };
}

/** Why documents at a host may not be fetched (the domain policy), or null. */
export type FetchPolicy = (host: string) => Promise<string | null>;

/** A loader that refuses URLs on hosts `policy` refuses, before any cache or connection. */
export function policyLoader(load: DocumentLoader, policy: FetchPolicy | undefined): DocumentLoader {
  if (!policy) return load;
  return async (url, options) => {
    const host = URL.canParse(url) ? new URL(url).hostname : "";
    const refusal = host ? await policy(host) : null;
    if (refusal) throw new FetchError(url, `Refused to fetch ${url}: ${refusal}`);
    return load(url, options);
  };
}

/**
 * The three loader factories for createFederation. `allowPrivateAddress` is Fedify's pre-fetch
 * address check (tests federate on loopback); it is only a first line — the connection itself is
 * checked by the HTTP client.
 */
export function boundedLoaderFactories(
  kv: KvStore,
  options: { allowPrivateAddress: boolean; userAgent: GetUserAgentOptions; policy?: FetchPolicy; contextPolicy?: FetchPolicy },
): LoaderFactories {
  const { allowPrivateAddress, userAgent, policy, contextPolicy } = options;
  const cached = (kind: "object" | "context") =>
    policyLoader(withoutFragment(kvCache({ loader: boundedLoader(getDocumentLoader({ allowPrivateAddress, userAgent })), kv, prefix: [...REMOTE_DOCUMENTS], kind })), kind === "object" ? policy : contextPolicy);
  // Which signature spec each server answered to, remembered so later fetches knock once.
  const specDeterminer = {
    determineSpec: async (origin: string) => (await kv.get<HttpMessageSignaturesSpec>([...SIGNATURE_SPECS, origin])) ?? "rfc9421",
    rememberSpec: (origin: string, spec: HttpMessageSignaturesSpec) => kv.set([...SIGNATURE_SPECS, origin], spec),
  };
  return {
    documentLoaderFactory: () => cached("object"),
    contextLoaderFactory: () => cached("context"),
    authenticatedDocumentLoaderFactory: (identity) =>
      policyLoader(boundedLoader(getAuthenticatedDocumentLoader(identity, { allowPrivateAddress, userAgent, specDeterminer })), policy),
  };
}
