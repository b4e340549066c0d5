// The analytics API (agents and admins). Its contract is fixed; these shapes mirror it.
// TODO(analytics merge): replace with the generated types once /api/analytics/* is on main.
import { ApiError } from "./errors";

export interface VolumePoint {
  period: string;
  opened: number;
  closed: number;
  backlog: number;
}
export type ResolutionByMonth = Record<string, number | null>;
export type CountsByCategory = Record<string, number>;
export interface CategoryCount {
  category: string;
  count: number;
}
export type Interval = "day" | "week" | "month";

export interface AnalyticsFilters {
  from?: string | undefined;
  to?: string | undefined;
  category?: string | undefined;
  interval?: Interval | undefined;
}

type Query = Record<string, string | undefined>;

/** The API's `to` is exclusive; the dashboard's "To" date is the last day shown. */
export function dayAfter(date: string | undefined): string | undefined {
  if (!date) return undefined;
  const day = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(day.getTime())) return undefined;
  day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString().slice(0, 10);
}

function range(f: AnalyticsFilters): Query {
  return { from: f.from, to: dayAfter(f.to), category: f.category };
}

async function getJson<T>(path: string, query: Query): Promise<T> {
  const url = new URL(`/api/analytics/${path}`, window.location.origin);
  for (const [key, value] of Object.entries(query)) {
    if (value) url.searchParams.set(key, value);
  }
  let response: Response;
  try {
    response = await globalThis.fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json, application/problem+json" },
    });
  } catch (cause) {
    throw new ApiError(0, { detail: cause instanceof Error ? cause.message : "network error" });
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text for the error message
  }
  if (!response.ok) throw new ApiError(response.status, body, response.headers.get("Retry-After"));
  return body as T;
}

export const analyticsApi = {
  ticketVolume: (f: AnalyticsFilters) =>
    getJson<VolumePoint[]>("ticket_volume", { interval: f.interval ?? "week", ...range(f) }),
  resolutionByMonth: (f: AnalyticsFilters) => getJson<ResolutionByMonth>("resolution_time_by_month", range(f)),
  countsByCategory: (f: AnalyticsFilters) => getJson<CountsByCategory>("counts_by_category", range(f)),
  activeByCategory: (f: AnalyticsFilters) => getJson<CategoryCount[]>("active_by_category", range(f)),
};
