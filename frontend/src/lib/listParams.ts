// The ticket list's filters live in the URL: parse them, write them back, send them to the API.
import type { operations } from "../api/schema";
import { PRIORITIES, STATUSES, type Priority, type Status } from "../api/types";

type ListQuery = NonNullable<operations["tickets_list_tickets_get"]["parameters"]["query"]>;
export type SortKey = NonNullable<ListQuery["sort"]>;

export const SORTS: readonly { value: SortKey; label: string }[] = [
  { value: "-opened_at", label: "Newest first" },
  { value: "opened_at", label: "Oldest first" },
  { value: "-updated_at", label: "Recently updated" },
  { value: "-priority", label: "Priority, highest first" },
  { value: "priority", label: "Priority, lowest first" },
  { value: "status", label: "Status" },
  { value: "title", label: "Title A–Z" },
  { value: "category", label: "Category A–Z" },
];
export const PER_PAGE_CHOICES = [10, 25, 50, 100] as const;
export const DEFAULT_SORT: SortKey = "-opened_at";
export const DEFAULT_PER_PAGE = 25;
export const ACTIVE_STATUSES: readonly Status[] = ["open", "in_progress", "waiting"];

export interface TicketListParams {
  statuses: Status[];
  category: string;
  priority: Priority | "";
  /** "" (anyone), "me", "none" (unassigned) or a user id */
  assignee: string;
  q: string;
  sort: SortKey;
  page: number;
  perPage: number;
}

const SORT_VALUES = new Set<string>(SORTS.map((s) => s.value));

function positiveInt(value: string | null, fallback: number, max = 1_000_000): number {
  const number = value === null ? NaN : Number(value);
  return Number.isInteger(number) && number >= 1 && number <= max ? number : fallback;
}

/** Read the filters from a URL's query, ignoring anything that is not a valid value. */
export function parseListParams(search: URLSearchParams): TicketListParams {
  const statusText = search.getAll("status").join(",");
  const statuses = STATUSES.filter((s) => statusText.split(",").includes(s));
  const priority = search.get("priority") ?? "";
  const assignee = search.get("assignee") ?? "";
  const sort = search.get("sort") ?? DEFAULT_SORT;
  const perPage = positiveInt(search.get("per_page"), DEFAULT_PER_PAGE, 100);
  return {
    statuses,
    category: (search.get("category") ?? "").trim(),
    priority: (PRIORITIES as readonly string[]).includes(priority) ? (priority as Priority) : "",
    assignee: /^(me|none|[1-9][0-9]{0,9})$/.test(assignee) ? assignee : "",
    q: (search.get("q") ?? "").trim(),
    sort: SORT_VALUES.has(sort) ? (sort as SortKey) : DEFAULT_SORT,
    page: positiveInt(search.get("page"), 1),
    perPage,
  };
}

/** The URL query for `params`; defaults are left out so shared links stay short. */
export function listParamsToSearch(params: TicketListParams): URLSearchParams {
  const search = new URLSearchParams();
  if (params.statuses.length) search.set("status", params.statuses.join(","));
  if (params.category) search.set("category", params.category);
  if (params.priority) search.set("priority", params.priority);
  if (params.assignee) search.set("assignee", params.assignee);
  if (params.q) search.set("q", params.q);
  if (params.sort !== DEFAULT_SORT) search.set("sort", params.sort);
  if (params.perPage !== DEFAULT_PER_PAGE) search.set("per_page", String(params.perPage));
  if (params.page > 1) search.set("page", String(params.page));
  return search;
}

/** An assignee filter as the API types it: `me`, `none` or a user id. */
function apiAssignee(value: string): "me" | "none" | number {
  return value === "me" || value === "none" ? value : Number(value);
}

/** The query for `GET /api/tickets`. */
export function toApiQuery(params: TicketListParams): ListQuery {
  const query: ListQuery = { sort: params.sort, page: params.page, per_page: params.perPage };
  if (params.statuses.length) query.status = params.statuses;
  if (params.category) query.category = [params.category];
  if (params.priority) query.priority = [params.priority];
  if (params.assignee) query.assignee = [apiAssignee(params.assignee)];
  if (params.q) query.q = params.q;
  return query;
}

export function hasFilters(params: TicketListParams): boolean {
  return Boolean(
    params.statuses.length || params.category || params.priority || params.assignee || params.q,
  );
}
