import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { analyticsApi, type AnalyticsFilters } from "./analytics";
import { api, unwrap, unwrapPage, type Page } from "./client";
import type { TicketListParams } from "../lib/listParams";
import { toApiQuery } from "../lib/listParams";
import type { Change, Comment } from "./types";

/** Query keys in one place, so mutations invalidate exactly what they change. */
export const keys = {
  session: ["session"] as const,
  tickets: ["tickets"] as const,
  ticketList: (params: TicketListParams) => ["tickets", "list", params] as const,
  ticket: (id: number) => ["tickets", "detail", id] as const,
  comments: (id: number) => ["tickets", "detail", id, "comments"] as const,
  history: (id: number) => ["tickets", "detail", id, "history"] as const,
  agents: ["agents"] as const,
  categories: ["categories"] as const,
  users: (page: number) => ["users", page] as const,
  tokens: ["tokens"] as const,
  analytics: (name: string, filters: AnalyticsFilters) => ["analytics", name, filters] as const,
};

export function useTicketList(params: TicketListParams) {
  return useQuery({
    queryKey: keys.ticketList(params),
    queryFn: () => unwrapPage(api.GET("/api/tickets", { params: { query: toApiQuery(params) } })),
    placeholderData: (previous) => previous,
  });
}

export function useTicket(id: number) {
  return useQuery({
    queryKey: keys.ticket(id),
    queryFn: () => unwrap(api.GET("/api/tickets/{ticket_id}", { params: { path: { ticket_id: id } } })),
  });
}

const CONVERSATION_PAGE = 100;

function nextPage<T>(pages: Page<T>[]): number | undefined {
  const loaded = pages.reduce((sum, page) => sum + page.items.length, 0);
  const total = pages[0]?.total ?? 0;
  const last = pages[pages.length - 1];
  return loaded < total && last && last.items.length > 0 ? pages.length + 1 : undefined;
}

export function useComments(id: number) {
  return useInfiniteQuery({
    queryKey: keys.comments(id),
    initialPageParam: 1,
    queryFn: ({ pageParam }): Promise<Page<Comment>> =>
      unwrapPage(
        api.GET("/api/tickets/{ticket_id}/comments", {
          params: { path: { ticket_id: id }, query: { page: pageParam, per_page: CONVERSATION_PAGE } },
        }),
      ),
    getNextPageParam: (_last, pages) => nextPage(pages),
  });
}

export function useHistory(id: number) {
  return useInfiniteQuery({
    queryKey: keys.history(id),
    initialPageParam: 1,
    queryFn: ({ pageParam }): Promise<Page<Change>> =>
      unwrapPage(
        api.GET("/api/tickets/{ticket_id}/history", {
          params: { path: { ticket_id: id }, query: { page: pageParam, per_page: CONVERSATION_PAGE } },
        }),
      ),
    getNextPageParam: (_last, pages) => nextPage(pages),
  });
}

export function useAgents(enabled: boolean) {
  return useQuery({
    queryKey: keys.agents,
    queryFn: () => unwrap(api.GET("/api/agents")),
    enabled,
    staleTime: 5 * 60_000,
  });
}

export function useCategories() {
  return useQuery({
    queryKey: keys.categories,
    queryFn: () => unwrap(api.GET("/api/categories")),
    staleTime: 5 * 60_000,
  });
}

export function useUsers(page: number, enabled = true) {
  return useQuery({
    queryKey: keys.users(page),
    queryFn: () => unwrapPage(api.GET("/api/users", { params: { query: { page, per_page: 50 } } })),
    placeholderData: (previous) => previous,
    enabled,
  });
}

export function useTokens() {
  return useQuery({ queryKey: keys.tokens, queryFn: () => unwrap(api.GET("/api/tokens")) });
}

export function useTicketVolume(filters: AnalyticsFilters) {
  return useQuery({
    queryKey: keys.analytics("ticket_volume", filters),
    queryFn: () => analyticsApi.ticketVolume(filters),
  });
}

export function useResolutionByMonth(filters: AnalyticsFilters) {
  return useQuery({
    queryKey: keys.analytics("resolution_time_by_month", filters),
    queryFn: () => analyticsApi.resolutionByMonth(filters),
  });
}

export function useCountsByCategory(filters: AnalyticsFilters) {
  return useQuery({
    queryKey: keys.analytics("counts_by_category", filters),
    queryFn: () => analyticsApi.countsByCategory(filters),
  });
}

export function useActiveByCategory(filters: AnalyticsFilters) {
  return useQuery({
    queryKey: keys.analytics("active_by_category", filters),
    queryFn: () => analyticsApi.activeByCategory(filters),
  });
}
