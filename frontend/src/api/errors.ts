import type { FieldError } from "./types";

/** A failed API call, carrying the RFC 9457 problem details the back end answered with. */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly fieldErrors: FieldError[];
  readonly retryAfter: number | null;

  constructor(status: number, body: unknown, retryAfter: string | null = null) {
    const problem = asProblem(body);
    const title = problem.title ?? `request failed (${status})`;
    const detail = problem.detail ?? title;
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.fieldErrors = problem.errors ?? [];
    const seconds = retryAfter === null ? NaN : Number.parseInt(retryAfter, 10);
    this.retryAfter = Number.isFinite(seconds) ? seconds : null;
  }

  /** The first message for each field, e.g. `{title: "may not be blank"}`. */
  byField(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const error of this.fieldErrors) {
      const field = error.field.replace(/^body\./, "");
      out[field] ??= error.message;
    }
    return out;
  }
}

interface ProblemLike {
  title?: string;
  detail?: string;
  errors?: FieldError[];
}

function asProblem(body: unknown): ProblemLike {
  if (typeof body !== "object" || body === null) {
    return typeof body === "string" && body ? { detail: body.slice(0, 300) } : {};
  }
  const record = body as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  const errors = Array.isArray(record.errors)
    ? record.errors.filter(isFieldError)
    : undefined;
  return { title: text(record.title), detail: text(record.detail), errors };
}

function isFieldError(value: unknown): value is FieldError {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.field === "string" && typeof record.message === "string";
}

/** A message fit to show a person for any error a query or mutation threw. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return "The server could not be reached. Check your connection.";
    return error.detail;
  }
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}

export function isStatus(error: unknown, status: number): boolean {
  return error instanceof ApiError && error.status === status;
}
