import createClient from "openapi-fetch";
import { ApiError } from "./errors";
import type { paths } from "./schema";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
let csrfToken: string | null = null;

/** Remember the session's CSRF token; every state-changing request then carries it. */
export function setCsrfToken(token: string | null | undefined): void {
  csrfToken = token ?? null;
}

export const api = createClient<paths, "application/json">({
  baseUrl: window.location.origin,
  credentials: "same-origin",
  // Looked up at call time, so tests can stub the global fetch.
  fetch: (request: Request) => globalThis.fetch(request),
});

api.use({
  onRequest({ request }) {
    request.headers.set("Accept", "application/json, application/problem+json");
    if (!SAFE_METHODS.has(request.method) && csrfToken) {
      request.headers.set("X-CSRF-Token", csrfToken);
    }
    return request;
  },
});

interface FetchResult<D> {
  data?: D;
  error?: unknown;
  response: Response;
}

/** Await an openapi-fetch call: its data, or an ApiError carrying the problem details. */
export async function unwrap<D>(call: Promise<FetchResult<D>>): Promise<D> {
  return (await unwrapWithResponse(call)).data;
}

export async function unwrapWithResponse<D>(
  call: Promise<FetchResult<D>>,
): Promise<{ data: D; response: Response }> {
  let result: FetchResult<D>;
  try {
    result = await call;
  } catch (cause) {
    throw new ApiError(0, { detail: cause instanceof Error ? cause.message : "network error" });
  }
  const { data, error, response } = result;
  if (!response.ok) {
    throw new ApiError(response.status, error, response.headers.get("Retry-After"));
  }
  return { data: data as D, response };
}

/**
 * A page of a list endpoint: its items and X-Total-Count. Not `exact` when the server stopped
 * counting (X-Total-Count-Exact: false, a search with many matches): more than `total` match.
 */
export interface Page<T> {
  items: T[];
  total: number;
  exact: boolean;
}

export async function unwrapPage<T>(call: Promise<FetchResult<T[]>>): Promise<Page<T>> {
  const { data, response } = await unwrapWithResponse(call);
  const header = response.headers.get("X-Total-Count");
  const total = header === null ? data.length : Number.parseInt(header, 10);
  return {
    items: data,
    total: Number.isFinite(total) ? total : data.length,
    exact: response.headers.get("X-Total-Count-Exact") !== "false",
  };
}

/** The If-Match value for a version we last read. */
export function ifMatch(version: number): string {
  return `"${version}"`;
}
