// /api/v1/push/subscription (scope `push`): the Web Push subscription of the calling token.
// Parameters come as forms (Ivory, Ice Cubes), or JSON (Elk, Phanpy); Rails-style nesting
// (`subscription[keys][p256dh]`, `data[alerts][mention]`) is read by readParams.
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { bearerToken, currentUser, requireScope } from "../../auth.ts";
import { bool, invalidParam, readParams, type Params } from "../../params.ts";
import { ApiError } from "../../errors.ts";
import { PushInputError, type AlertsInput, type Subscriber } from "../../../domain/push/push-service.ts";
import { PUSH_ALERTS } from "../../../domain/push/payload.ts";
import { toWebPushSubscription } from "../../../convert/mastodon/push-subscription.ts";

export const pushRoutes = new Hono<AppEnv>();

pushRoutes.use("*", requireScope("push"));

function subscriber(c: Context<AppEnv>): Subscriber {
  const { auth, user, account } = currentUser(c);
  return { tokenId: auth.token.id, accountId: account.id, role: user.role };
}

function object(params: Params, name: string): Params {
  const value = params[name];
  if (value === undefined || value === null || value === "") return {};
  if (typeof value !== "object" || Array.isArray(value)) throw invalidParam(name, "must be an object");
  return value as Params;
}

function text(params: Params, name: string, label: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw invalidParam(label, "must be a string");
  return value;
}

function alertsOf(data: Params): AlertsInput {
  const alerts = object(data, "alerts");
  const out: AlertsInput = {};
  for (const type of PUSH_ALERTS) {
    try {
      out[type] = bool(alerts, type) ?? false;
    } catch {
      throw invalidParam(`data[alerts][${type}]`, "must be true or false");
    }
  }
  return out;
}

/** The service's per-field refusals as Mastodon's ValidationError. */
async function withDetails<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PushInputError) throw new ApiError(422, `Validation failed: ${error.message}`, {}, { [error.field]: [{ error: "ERR_INVALID", description: error.message }] });
    throw error;
  }
}

pushRoutes.post("/subscription", async (c) => {
  const params = await readParams(c);
  const subscription = object(params, "subscription");
  if (params.subscription === undefined) throw invalidParam("subscription", "can't be blank");
  const keys = object(subscription, "keys");
  const data = object(params, "data");
  let standard: boolean;
  try {
    standard = bool(subscription, "standard") ?? false;
  } catch {
    throw invalidParam("subscription[standard]", "must be true or false");
  }
  const input = {
    endpoint: text(subscription, "endpoint", "subscription[endpoint]"),
    p256dh: text(keys, "p256dh", "subscription[keys][p256dh]"),
    auth: text(keys, "auth", "subscription[keys][auth]"),
    standard,
    alerts: alertsOf(data),
    policy: text(data, "policy", "data[policy]"),
  };
  const view = await withDetails(() => c.get("services").push.subscribe(subscriber(c), bearerToken(c) ?? "", input));
  return c.json(toWebPushSubscription(view));
});

pushRoutes.get("/subscription", async (c) => {
  return c.json(toWebPushSubscription(await c.get("services").push.current(subscriber(c))));
});

pushRoutes.put("/subscription", async (c) => {
  const params = await readParams(c);
  const data = object(params, "data");
  // The description also lists `policy` at the top level; data[policy] wins.
  const policy = text(data, "policy", "data[policy]") ?? text(params, "policy", "policy");
  const view = await withDetails(() => c.get("services").push.update(subscriber(c), { alerts: alertsOf(data), policy }));
  return c.json(toWebPushSubscription(view));
});

pushRoutes.delete("/subscription", async (c) => {
  await c.get("services").push.unsubscribe(subscriber(c));
  return c.json({});
});
