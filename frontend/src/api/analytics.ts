// The analytics API (agents and admins), typed from the generated OpenAPI schema.
import { api, unwrap } from "./client";
import type { components } from "./schema";

type Schemas = components["schemas"];
export type VolumePoint = Schemas["VolumePoint"];
export type ResolutionByMonth = Schemas["MonthlyMeans"];
export type CountsByCategory = Schemas["CategoryCounts"];
export type CategoryCount = Schemas["ActiveCategory"];
export type Interval = Schemas["Interval"];

export interface AnalyticsFilters {
  from?: string | undefined;
  to?: string | undefined;
  category?: string | undefined;
  interval?: Interval | undefined;
}

/** The API's `to` is exclusive; the dashboard's "To" date is the last day shown. */
export function dayAfter(date: string | undefined): string | undefined {
  if (!date) return undefined;
  const day = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(day.getTime())) return undefined;
  day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString().slice(0, 10);
}

/** The date range and category as query parameters, leaving out what is not set. */
function range(f: AnalyticsFilters): { from?: string; to?: string; category?: string[] } {
  const to = dayAfter(f.to);
  return {
    ...(f.from ? { from: f.from } : {}),
    ...(to ? { to } : {}),
    ...(f.category ? { category: [f.category] } : {}),
  };
}

export const analyticsApi = {
  ticketVolume: (f: AnalyticsFilters): Promise<VolumePoint[]> =>
    unwrap(
      api.GET("/api/analytics/ticket_volume", {
        params: { query: { interval: f.interval ?? "week", ...range(f) } },
      }),
    ),
  resolutionByMonth: (f: AnalyticsFilters): Promise<ResolutionByMonth> =>
    unwrap(api.GET("/api/analytics/resolution_time_by_month", { params: { query: range(f) } })),
  countsByCategory: (f: AnalyticsFilters): Promise<CountsByCategory> =>
    unwrap(api.GET("/api/analytics/counts_by_category", { params: { query: range(f) } })),
  activeByCategory: (f: AnalyticsFilters): Promise<CategoryCount[]> =>
    unwrap(api.GET("/api/analytics/active_by_category", { params: { query: range(f) } })),
};
