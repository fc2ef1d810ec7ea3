// npm's undici on first use. Every outgoing connection Skein makes goes through an undici agent
// (deliveries, the media cache, link previews, Web Push, blocklists, Stripe, Fedify's fetches),
// but an idle server makes none: importing undici and building nine agents at start-up held
// ~5 MB for nothing (docs/PERFORMANCE.md, "Memory"). This is the one seam that imports it:
//
//   - `loadUndici()` imports the module once; callers that need its functions (`request`,
//     `fetch`) await it.
//   - `OnDemandDispatcher` holds a recipe for an agent and makes it on the first request that
//     needs it; requests made while undici loads wait for the same load.
//   - `installGlobalDispatcherOnDemand` puts a stand-in where Node's own fetch looks for its
//     dispatcher: the first fetch loads undici, installs the real agent and goes through it, so
//     no fetch ever leaves on an unguarded connection.
import type * as UndiciModule from "undici";
import type { Dispatcher } from "undici";

export type Undici = typeof UndiciModule;

let loading: Promise<Undici> | undefined;
let loaded: Undici | undefined;

/** npm's undici, imported on the first call; every call gets the same module. */
export function loadUndici(): Promise<Undici> {
  loading ??= import("undici").then((module) => (loaded = module));
  return loading;
}

/** Whether undici has been imported in this process (tests and /metrics may ask). */
export function undiciLoaded(): boolean {
  return loaded !== undefined;
}

/** A dispatcher (an Agent with its guarded connector …) made by `make` on the first `get()`. */
export class OnDemandDispatcher<D extends Dispatcher = Dispatcher> {
  readonly #make: (undici: Undici) => D;
  #made: Promise<D> | undefined;

  constructor(make: (undici: Undici) => D) {
    this.#make = make;
  }

  /** The dispatcher, made (and undici loaded) on the first call. */
  get(): Promise<D> {
    this.#made ??= loadUndici().then((undici) => this.#make(undici));
    return this.#made;
  }

  /** Closes the dispatcher gracefully if it was ever made. */
  async close(): Promise<void> {
    if (this.#made) await (await this.#made).close();
  }

  /** Destroys the dispatcher (open requests fail) if it was ever made. */
  async destroy(): Promise<void> {
    if (this.#made) await (await this.#made).destroy();
  }
}

// Where Node's bundled fetch (undici 7's dispatcher API, version 1) reads its dispatcher. npm's
// undici (8) keeps its own under version 2 and writes a wrapper of it here in setGlobalDispatcher.
const NODE_FETCH_DISPATCHER = Symbol.for("undici.globalDispatcher.1");

type LegacyHandler = { onError?: (error: Error) => void };

/**
 * Makes every fetch of this process go through the dispatcher `make` builds, made on the first
 * fetch. Until then a stand-in answers Node's fetch: it loads undici, installs the real
 * dispatcher with undici's `setGlobalDispatcher` (which replaces the stand-in) and hands the
 * request over to it.
 */
export function installGlobalDispatcherOnDemand(make: (undici: Undici) => Dispatcher): void {
  if (loaded) {
    loaded.setGlobalDispatcher(make(loaded));
    return;
  }
  let installed: Promise<Dispatcher> | undefined;
  const real = (): Promise<Dispatcher> => {
    installed ??= loadUndici().then((undici) => {
      undici.setGlobalDispatcher(make(undici));
      return (globalThis as Record<symbol, Dispatcher>)[NODE_FETCH_DISPATCHER];
    });
    return installed;
  };
  const standIn = {
    dispatch(options: unknown, handler: LegacyHandler): boolean {
      // Node's fetch awaits the answer through the handler's callbacks; an abort before the real
      // dispatch starts is seen by it (fetch aborts in its onConnect).
      real().then(
        (dispatcher) => dispatcher.dispatch(options as Dispatcher.DispatchOptions, handler as Dispatcher.DispatchHandler),
        (error: Error) => handler.onError?.(error),
      );
      return true;
    },
    async close(): Promise<void> {
      if (installed) await (await installed).close();
    },
    async destroy(): Promise<void> {
      if (installed) await (await installed).destroy();
    },
  };
  // The same attributes undici's setGlobalDispatcher gives it, so that it may replace the value.
  Object.defineProperty(globalThis, NODE_FETCH_DISPATCHER, { value: standIn, writable: true, enumerable: false, configurable: false });
}
