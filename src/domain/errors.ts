// Failures the rules raise. The HTTP layer maps each kind to Mastodon's status and error shape;
// the CLI prints the message. Messages are written for the person who sees them.

export class DomainError extends Error {
  readonly kind: "validation" | "not_found" | "forbidden" | "unauthorized" | "conflict" | "rate_limited";
  constructor(kind: DomainError["kind"], message: string) {
    super(message);
    this.kind = kind;
  }
}

export const validationFailed = (message: string) => new DomainError("validation", message);
export const notFound = (message = "Record not found") => new DomainError("not_found", message);
export const forbidden = (message = "This action is not allowed") => new DomainError("forbidden", message);
export const unauthorized = (message = "The access token is invalid") => new DomainError("unauthorized", message);
