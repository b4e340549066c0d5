import { useState, type SubmitEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { useAgents, useCategories, useTicketList } from "../api/queries";
import { PRIORITIES, STATUSES, type Priority, type Status, type Ticket } from "../api/types";
import { isStaff, useCurrentUser } from "../auth/session";
import { PriorityBadge, StatusBadge } from "../components/Badges";
import { Pagination } from "../components/Pagination";
import { Empty, ErrorState, Loading } from "../components/QueryState";
import { formatDateTime, PRIORITY_LABELS, STATUS_LABELS } from "../lib/format";
import {
  ACTIVE_STATUSES,
  hasFilters,
  listParamsToSearch,
  parseListParams,
  PER_PAGE_CHOICES,
  SORTS,
  type TicketListParams,
} from "../lib/listParams";
import { useTitle } from "../lib/useTitle";

const ACTIVE = ACTIVE_STATUSES.join(",");

export function TicketListPage() {
  useTitle("Tickets");
  const user = useCurrentUser();
  const staff = isStaff(user.role);
  const [search, setSearch] = useSearchParams();
  const params = parseListParams(search);
  const list = useTicketList(params);

  // Every change is a new history entry, so the back button walks back through filters.
  const update = (changes: Partial<TicketListParams>) => {
    const page = "page" in changes ? (changes.page ?? 1) : 1;
    setSearch(listParamsToSearch({ ...params, ...changes, page }));
  };

  return (
    <section aria-labelledby="list-title">
      <div className="page-header">
        <h1 id="list-title">{staff ? "Tickets" : "My tickets"}</h1>
        <Link className="button button-primary" to="/tickets/new">
          New ticket
        </Link>
      </div>
      <Filters key={search.toString()} params={params} staff={staff} onChange={update} />
      {list.isPending ? (
        <Loading label="Loading tickets" />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <Empty>
          {hasFilters(params) ? (
            <>
              <p>No tickets match these filters.</p>
              <button type="button" className="button" onClick={() => setSearch(new URLSearchParams())}>
                Clear filters
              </button>
            </>
          ) : (
            <p>
              No tickets yet. <Link to="/tickets/new">Open the first one</Link>.
            </p>
          )}
        </Empty>
      ) : (
        <>
          <TicketTable tickets={list.data.items} staff={staff} busy={list.isFetching} />
          <Pagination
            label="Ticket pages"
            page={params.page}
            perPage={params.perPage}
            total={list.data.total}
            exact={list.data.exact}
            onPage={(page) => update({ page })}
          />
        </>
      )}
    </section>
  );
}

interface FiltersProps {
  params: TicketListParams;
  staff: boolean;
  onChange: (changes: Partial<TicketListParams>) => void;
}

function Filters({ params, staff, onChange }: FiltersProps) {
  const [q, setQ] = useState(params.q);
  const categories = useCategories();
  const agents = useAgents(staff);
  const statusValue = params.statuses.join(",");
  const knownStatus = statusValue === "" || statusValue === ACTIVE || params.statuses.length === 1;

  const submitSearch = (event: SubmitEvent) => {
    event.preventDefault();
    onChange({ q: q.trim() });
  };

  return (
    <div className="filters panel">
      <form role="search" className="search" onSubmit={submitSearch}>
        <label htmlFor="ticket-search">Search tickets</label>
        <div className="search-row">
          <input
            id="ticket-search"
            type="search"
            name="q"
            placeholder="Words in the title or description"
            value={q}
            maxLength={200}
            onChange={(e) => setQ(e.target.value)}
          />
          <button type="submit" className="button">
            Search
          </button>
        </div>
      </form>
      <div className="filter-grid">
        <div className="field">
          <label htmlFor="filter-status">Status</label>
          <select
            id="filter-status"
            value={statusValue}
            onChange={(e) => {
              const values = e.target.value.split(",").filter(Boolean) as Status[];
              onChange({ statuses: values });
            }}
          >
            <option value="">Any status</option>
            <option value={ACTIVE}>Active (not yet resolved)</option>
            {STATUSES.map((status) => (
              <option key={status} value={status}>
                {STATUS_LABELS[status]}
              </option>
            ))}
            {!knownStatus && (
              <option value={statusValue}>{params.statuses.map((s) => STATUS_LABELS[s]).join(", ")}</option>
            )}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-category">Category</label>
          <select id="filter-category" value={params.category} onChange={(e) => onChange({ category: e.target.value })}>
            <option value="">Any category</option>
            {(categories.data ?? []).map((category) => (
              <option key={category} value={category}>
                {category}
              </option>
            ))}
            {params.category && !(categories.data ?? []).includes(params.category) && (
              <option value={params.category}>{params.category}</option>
            )}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-priority">Priority</label>
          <select
            id="filter-priority"
            value={params.priority}
            onChange={(e) => onChange({ priority: e.target.value as Priority | "" })}
          >
            <option value="">Any priority</option>
            {PRIORITIES.map((priority) => (
              <option key={priority} value={priority}>
                {PRIORITY_LABELS[priority]}
              </option>
            ))}
          </select>
        </div>
        {staff && (
          <div className="field">
            <label htmlFor="filter-assignee">Assignee</label>
            <select id="filter-assignee" value={params.assignee} onChange={(e) => onChange({ assignee: e.target.value })}>
              <option value="">Anyone</option>
              <option value="me">Assigned to me</option>
              <option value="none">Unassigned</option>
              {(agents.data ?? []).map((agent) => (
                <option key={agent.id} value={String(agent.id)}>
                  {agent.name}
                </option>
              ))}
              {/^\d+$/.test(params.assignee) && !(agents.data ?? []).some((a) => String(a.id) === params.assignee) && (
                <option value={params.assignee}>User {params.assignee}</option>
              )}
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor="filter-sort">Sort by</label>
          <select
            id="filter-sort"
            value={params.sort}
            onChange={(e) => onChange({ sort: e.target.value as TicketListParams["sort"] })}
          >
            {SORTS.map((sort) => (
              <option key={sort.value} value={sort.value}>
                {sort.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-per-page">Per page</label>
          <select
            id="filter-per-page"
            value={params.perPage}
            onChange={(e) => onChange({ perPage: Number(e.target.value) })}
          >
            {PER_PAGE_CHOICES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
      </div>
    </div>
  );
}

function TicketTable({ tickets, staff, busy }: { tickets: Ticket[]; staff: boolean; busy: boolean }) {
  return (
    <table className="tickets" aria-busy={busy}>
      <caption className="visually-hidden">Tickets</caption>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Title</th>
          <th scope="col">Status</th>
          <th scope="col">Priority</th>
          <th scope="col">Category</th>
          {staff && <th scope="col">Requester</th>}
          <th scope="col">Assignee</th>
          <th scope="col">Opened</th>
        </tr>
      </thead>
      <tbody>
        {tickets.map((ticket) => (
          <tr key={ticket.id}>
            <td data-label="#">{ticket.id}</td>
            <td data-label="Title" className="cell-title">
              <Link to={`/tickets/${ticket.id}`}>{ticket.title}</Link>
            </td>
            <td data-label="Status">
              <StatusBadge status={ticket.status} />
            </td>
            <td data-label="Priority">
              <PriorityBadge priority={ticket.priority} />
            </td>
            <td data-label="Category">{ticket.category}</td>
            {staff && <td data-label="Requester">{ticket.requester.name}</td>}
            <td data-label="Assignee">{ticket.assignee?.name ?? <span className="muted">Unassigned</span>}</td>
            <td data-label="Opened">
              <time dateTime={ticket.opened_at}>{formatDateTime(ticket.opened_at)}</time>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
