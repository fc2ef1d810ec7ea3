// The one seam between a running server and Fedify: the federation stack (stack.ts: Fedify, its
// vocabulary, JSON-LD, the resolver, the outbox's activities) is imported and built the first time
// something needs it — an ActivityPub request, an inbox or outbox job, a thread to complete, a
// remote lookup, an activity to send — and never at start-up, which it would make ~55 MB larger
// (docs/PERFORMANCE.md, "Memory"). Everything that arrives while it loads waits for the same
// promise; nothing is refused or lost. Nothing outside this file imports stack.ts but its types.
import { getLogger } from "@logtape/logtape";
import type { FederationStack, FederationStackParts } from "./stack.ts";

const logger = getLogger(["skein", "federation"]);

/** The queue of fan-outs to followers (outbox-queue.ts fills it): named here, where the server listens on it without loading the stack. */
export const OUTBOX_QUEUE = "outbox";

export class FederationLoader {
  private readonly parts: FederationStackParts;
  private pending: Promise<FederationStack> | null = null;
  /** How long the first load took (import and build), once it is done; null before. */
  loadedInMs: number | null = null;

  constructor(parts: FederationStackParts) {
    this.parts = parts;
  }

  get loaded(): boolean {
    return this.loadedInMs !== null;
  }

  /** The stack, loaded on the first call; every later (or concurrent) call gets the same one. */
  load(): Promise<FederationStack> {
    if (!this.pending) {
      const startedAt = performance.now();
      this.pending = import("./stack.ts")
        .then(({ buildFederationStack }) => {
          const stack = buildFederationStack(this.parts);
          this.loadedInMs = Math.round(performance.now() - startedAt);
          logger.info("Federation loaded in {ms} ms", { ms: this.loadedInMs });
          return stack;
        })
        .catch((error: unknown) => {
          // A failed load (a file missing mid-update) is tried again by the next caller.
          this.pending = null;
          throw error;
        });
    }
    return this.pending;
  }
}

type AsyncMethods<T> = { [K in keyof T]: (...args: never[]) => Promise<unknown> };

/**
 * A stand-in for one of the stack's parts behind a domain port (Outbox, RemoteLookup, …): each
 * method call waits for the stack, then calls the part's. Only ports whose methods all return
 * promises qualify, so a caller cannot tell the difference but for the first call's wait.
 */
export function deferred<T extends AsyncMethods<T>>(loader: FederationLoader, part: (stack: FederationStack) => T): T {
  return new Proxy({} as T, {
    get(_target, name) {
      // Not a thenable: a port handed through `await` or a Promise must stay the port.
      if (typeof name !== "string" || name === "then") return undefined;
      return (...args: unknown[]) =>
        loader.load().then((stack) => {
          const target = part(stack) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
          return target[name](...args);
        });
    },
  });
}
