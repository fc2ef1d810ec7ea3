// The one way the client reaches the server: JSON over the Mastodon client API, with the signed-in
// user's bearer token. Errors carry the API's own message ({"error": …}) for the views to show.
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export interface Page<T> {
  items: T[];
  /** max_id for the next (older) page, from the Link header; null at the end. */
  next: string | null;
}

type Query = Record<string, string | number | boolean | string[] | undefined>;
type Options = { query?: Query; body?: unknown; form?: Record<string, string>; multipart?: FormData; idempotencyKey?: string };

export class ApiClient {
  token: string | null = null;
  /** Called when the server says the token is no longer valid (revoked elsewhere, expired). */
  onUnauthorized: () => void = () => {};

  async request<T>(method: string, path: string, options: Options = {}): Promise<T> {
    const response = await this.send(method, path, options);
    return (await response.json()) as T;
  }

  /** A request whose answer's status matters too (a media upload answers 202 while it is processed). */
  async requestWithStatus<T>(method: string, path: string, options: Options = {}): Promise<{ status: number; body: T }> {
    const response = await this.send(method, path, options);
    return { status: response.status, body: (await response.json()) as T };
  }

  /** A GET of a paginated list, with the max_id of the page after it. */
  async page<T>(path: string, query: Query = {}): Promise<Page<T>> {
    const { body, next } = await this.pageOf<T[]>(path, query);
    return { items: body, next };
  }

  /** A GET of a paginated answer of any shape (grouped notifications are an object), with the next page's max_id. */
  async pageOf<T>(path: string, query: Query = {}): Promise<{ body: T; next: string | null }> {
    const response = await this.send("GET", path, { query });
    const body = (await response.json()) as T;
    const next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("Link") ?? "")?.[1];
    return { body, next: next ? new URL(next, location.origin).searchParams.get("max_id") : null };
  }

  private async send(method: string, path: string, options: Options): Promise<Response> {
    const url = new URL(path, location.origin);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) url.searchParams.append(`${key}[]`, v);
      else url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { Accept: "application/json" };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (options.idempotencyKey) headers["Idempotency-Key"] = options.idempotencyKey;
    let body: string | FormData | undefined;
    if (options.multipart) {
      body = options.multipart; // the browser sets the multipart Content-Type with its boundary
    } else if (options.form) {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(options.form).toString();
    } else if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.body);
    }
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body });
    } catch {
      throw new ApiError(0, "The server cannot be reached. Check your connection and try again.");
    }
    if (response.ok) return response;
    if (response.status === 401 && this.token) this.onUnauthorized();
    let message = `${response.status} ${response.statusText}`;
    try {
      const data = await response.json();
      message = data.error_description ?? data.error ?? message;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(response.status, message);
  }
}

export const api = new ApiClient();
