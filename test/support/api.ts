// Raw API calls for tests that need status codes, headers or bodies masto.js hides.
import type { TestUser } from "./clients.ts";

export interface ApiResponse {
  status: number;
  body: any;
  headers: Headers;
}

/** A caller bound to one server: `api(user, method, path, body?)`, JSON bodies unless URLSearchParams. */
export function apiCaller(baseUrl: () => string) {
  return async function api(user: TestUser | null, method: string, path: string, body?: unknown): Promise<ApiResponse> {
    const headers: Record<string, string> = {};
    if (user) headers.Authorization = `Bearer ${user.token}`;
    let payload: string | undefined;
    if (body instanceof URLSearchParams) {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      payload = body.toString();
    } else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    const res = await fetch(`${baseUrl()}${path}`, { method, headers, body: payload });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  };
}
