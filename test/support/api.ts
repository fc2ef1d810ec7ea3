// Raw API calls for tests that need status codes, headers or bodies masto.js hides.
import type { TestUser } from "./clients.ts";

export interface ApiResponse {
  status: number;
  body: any;
  headers: Headers;
}

/**
 * A caller bound to one server: `api(who, method, path, body?)`, where `who` is a signed-in user,
 * a bare access token, or null; JSON bodies unless URLSearchParams.
 */
export function apiCaller(baseUrl: () => string) {
  return async function api(who: TestUser | string | null, method: string, path: string, body?: unknown): Promise<ApiResponse> {
    const headers: Record<string, string> = {};
    const token = typeof who === "string" ? who : who?.token;
    if (token) headers.Authorization = `Bearer ${token}`;
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
