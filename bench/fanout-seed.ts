// Seeds the fan-out benchmark's database: local senders, and remote followers on the fleet's
// instances (dN.fleet.test), written in bulk. A celebrity's followers are spread over the domains
// with a Zipf distribution (a few big instances, a long tail of small ones; every domain gets at
// least one); the sustained workload's posters each have their own followers spread evenly over
// domains picked with the same skew. Remote accounts point their inbox and shared inbox at the
// fleet, so the server under test delivers to it.
import type { Insertable } from "kysely";
import type { AccountsTable, FollowsTable } from "../src/db/schema.ts";
import type { Runtime } from "../src/server/context.ts";
import { idAtTime } from "../src/util/ids.ts";
import { FLEET_DOMAIN } from "./fleet/tls.ts";

export interface Sender {
  username: string;
  accountId: string;
  /** A bearer token with write scope. */
  token: string;
  /** Host names (no port) of the instances its followers live on. */
  domains: string[];
  followers: number;
}

export interface FanoutSeedPlan {
  fleetPort: number;
  celebrity?: { followers: number; domains: number; zipf: number };
  posters?: { count: number; followers: number; domains: number; fleetDomains: number; zipf: number };
}

const BATCH = 500;
const PASSWORD = "bench-password-1";

export const domainName = (index: number) => `d${index + 1}.${FLEET_DOMAIN}`;

/** Deterministic pseudo-random numbers, so two runs seed the same data. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** `total` items over `bins` bins, bin k weighted 1/(k+1)^s, each bin at least one (largest remainder). */
export function zipfCounts(total: number, bins: number, s: number): number[] {
  const counts = new Array<number>(bins).fill(1);
  const rest = total - bins;
  if (rest <= 0) return counts;
  const weights = counts.map((_, k) => 1 / (k + 1) ** s);
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w / sum) * rest);
  let given = 0;
  exact.forEach((x, k) => {
    counts[k] += Math.floor(x);
    given += Math.floor(x);
  });
  const order = exact.map((x, k) => [x - Math.floor(x), k] as const).sort((a, b) => b[0] - a[0]);
  for (let i = 0; i < rest - given; i++) counts[order[i][1]]++;
  return counts;
}

/** `n` distinct indices below `bins`, drawn with Zipf weights. */
function zipfSample(n: number, bins: number, s: number, rand: () => number): number[] {
  const cumulative: number[] = [];
  let sum = 0;
  for (let k = 0; k < bins; k++) cumulative.push((sum += 1 / (k + 1) ** s));
  const chosen = new Set<number>();
  while (chosen.size < Math.min(n, bins)) {
    const x = rand() * sum;
    let lo = 0;
    let hi = bins - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    chosen.add(lo);
  }
  return [...chosen];
}

async function insertBatches<T>(rows: T[], insert: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) await insert(rows.slice(i, i + BATCH));
}

export async function seedFanout(runtime: Runtime, plan: FanoutSeedPlan, log: (line: string) => void): Promise<{ celebrity: Sender | null; posters: Sender[] }> {
  const db = runtime.database.db;
  const now = Date.now();
  const created = new Date(now - 400 * 86400_000).toISOString();
  let nextAccountId = BigInt(idAtTime(new Date(now - 500 * 86400_000)));
  let nextFollowId = BigInt(idAtTime(new Date(now - 600 * 86400_000)));
  const accounts: Insertable<AccountsTable>[] = [];
  const follows: Insertable<FollowsTable>[] = [];
  const rand = random(7);

  const { app, clientSecret } = await runtime.services.oauth.registerApp({ name: "skein bench fanout", redirectUris: "urn:ietf:wg:oauth:2.0:oob", scopes: "read write" });
  const localSender = async (username: string): Promise<{ accountId: string; token: string }> => {
    const { account } = await runtime.services.accounts.createLocal({ username, email: `${username}@bench.invalid`, password: PASSWORD });
    const issued = await runtime.services.oauth.grant({ grant_type: "password", client_id: app.client_id, client_secret: clientSecret, username, password: PASSWORD, scope: "read write" });
    return { accountId: account.id, token: issued.accessToken };
  };
  const remote = (domainIndex: number, username: string, followsAccountId: string) => {
    const id = (nextAccountId++).toString();
    const host = `${domainName(domainIndex)}:${plan.fleetPort}`;
    const uri = `https://${host}/users/${username}`;
    accounts.push({
      id, username, domain: host, display_name: username, note: "", fields: "[]", locked: 0, bot: 0, discoverable: 0, indexable: 0,
      uri, url: uri, avatar_url: null, header_url: null, followers_count: 0, following_count: 1, statuses_count: 0, last_status_at: null,
      suspended_at: null, created_at: created, updated_at: created, inbox_url: `${uri}/inbox`, shared_inbox_url: `https://${host}/inbox`,
      followers_url: `${uri}/followers`, featured_url: null, also_known_as: null, fetched_at: created, actor_type: "Person", moved_to_account_id: null,
    });
    follows.push({ id: (nextFollowId++).toString(), account_id: id, target_account_id: followsAccountId, uri: `${uri}#follows/${id}`, created_at: created, show_reblogs: 1, notify: 0 });
  };

  let celebrity: Sender | null = null;
  if (plan.celebrity) {
    const { followers, domains, zipf } = plan.celebrity;
    const local = await localSender("celebrity");
    const counts = zipfCounts(followers, domains, zipf);
    counts.forEach((count, k) => {
      for (let j = 0; j < count; j++) remote(k, `u${j}`, local.accountId);
    });
    celebrity = { username: "celebrity", ...local, domains: counts.map((_, k) => domainName(k)), followers };
    log(`celebrity: ${followers} followers over ${domains} domains (largest ${counts[0]}, ${counts.filter((c) => c === 1).length} domains with one)`);
  }

  const posters: Sender[] = [];
  if (plan.posters) {
    const { count, followers, domains, fleetDomains, zipf } = plan.posters;
    for (let p = 0; p < count; p++) {
      const username = `poster${p}`;
      const local = await localSender(username);
      const chosen = zipfSample(domains, fleetDomains, zipf, rand);
      for (let m = 0; m < followers; m++) remote(chosen[m % chosen.length], `p${p}f${m}`, local.accountId);
      posters.push({ username, ...local, domains: chosen.map(domainName), followers });
    }
    log(`posters: ${count} accounts, each with ${followers} followers over ${domains} domains`);
  }

  await db.transaction().execute(async (tx) => {
    await insertBatches(accounts, (batch) => tx.insertInto("accounts").values(batch).execute());
    await insertBatches(follows, (batch) => tx.insertInto("follows").values(batch).execute());
    for (const sender of [celebrity, ...posters]) {
      if (sender) await tx.updateTable("accounts").set({ followers_count: sender.followers }).where("id", "=", sender.accountId).execute();
    }
  });
  log(`seeded ${accounts.length} remote accounts and their follows`);
  return { celebrity, posters };
}
