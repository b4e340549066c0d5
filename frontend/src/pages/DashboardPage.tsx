import type { ReactNode } from "react";
import { useSearchParams } from "react-router";
import {
  Bar,
  BarChart,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import type { AnalyticsFilters, Interval } from "../api/analytics";
import {
  useActiveByCategory,
  useCategories,
  useCountsByCategory,
  useResolutionByMonth,
  useTicketVolume,
} from "../api/queries";
import { Empty, ErrorState, Loading } from "../components/QueryState";
import { formatHours } from "../lib/format";
import { useTitle } from "../lib/useTitle";

const INTERVALS: readonly Interval[] = ["day", "week", "month"];
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const COLORS = { opened: "#2563eb", closed: "#16a34a", backlog: "#dc2626", bar: "#7c3aed", active: "#ea580c" };

export function parseDashboardFilters(search: URLSearchParams): AnalyticsFilters {
  const from = search.get("from") ?? "";
  const to = search.get("to") ?? "";
  const interval = search.get("interval") ?? "";
  return {
    from: DATE.test(from) ? from : undefined,
    to: DATE.test(to) ? to : undefined,
    category: search.get("category") || undefined,
    interval: (INTERVALS as readonly string[]).includes(interval) ? (interval as Interval) : "week",
  };
}

export function DashboardPage() {
  useTitle("Dashboard");
  const [search, setSearch] = useSearchParams();
  const filters = parseDashboardFilters(search);
  const categories = useCategories();

  const set = (name: string, value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(name, value);
    else next.delete(name);
    setSearch(next, { replace: true });
  };
  const rangeError = filters.from && filters.to && filters.from > filters.to;

  return (
    <section aria-labelledby="dashboard-title">
      <h1 id="dashboard-title">Dashboard</h1>
      <form className="filters panel filter-grid" aria-label="Dashboard filters" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="dash-from">From</label>
          <input id="dash-from" type="date" value={filters.from ?? ""} onChange={(e) => set("from", e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="dash-to">To (inclusive)</label>
          <input id="dash-to" type="date" value={filters.to ?? ""} onChange={(e) => set("to", e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="dash-category">Category</label>
          <select id="dash-category" value={filters.category ?? ""} onChange={(e) => set("category", e.target.value)}>
            <option value="">All categories</option>
            {(categories.data ?? []).map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="dash-interval">Volume by</label>
          <select id="dash-interval" value={filters.interval} onChange={(e) => set("interval", e.target.value)}>
            {INTERVALS.map((i) => (
              <option key={i} value={i}>
                {i}
              </option>
            ))}
          </select>
        </div>
        {rangeError && (
          <p className="form-error" role="alert">
            “From” is after “To”: no ticket can match.
          </p>
        )}
      </form>
      <div className="charts">
        <VolumeChart filters={filters} />
        <ResolutionChart filters={filters} />
        <CategoryChart filters={filters} />
        <ActiveChart filters={filters} />
      </div>
    </section>
  );
}

interface Column<Row> {
  label: string;
  value: (row: Row) => ReactNode;
}

interface ChartCardProps<Row> {
  id: string;
  title: string;
  note?: string;
  query: { isPending: boolean; isError: boolean; error: unknown; refetch: () => unknown };
  rows: Row[];
  columns: Column<Row>[];
  rowKey: (row: Row) => string;
  chart: ReactNode;
}

/** A chart with its loading, error and empty states, and its numbers as a table. */
function ChartCard<Row>({ id, title, note, query, rows, columns, rowKey, chart }: ChartCardProps<Row>) {
  return (
    <section className="panel chart-card" aria-labelledby={`${id}-title`} data-testid={`chart-${id}`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {note && <p className="muted">{note}</p>}
      {query.isPending ? (
        <Loading label={`Loading ${title.toLowerCase()}`} />
      ) : query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : rows.length === 0 ? (
        <Empty>
          <p>No tickets in this range.</p>
        </Empty>
      ) : (
        <>
          <div className="chart" role="img" aria-label={`${title} chart; the numbers are in the table below`}>
            <ResponsiveContainer width="100%" height={260}>
              {chart}
            </ResponsiveContainer>
          </div>
          <details>
            <summary>Show the numbers</summary>
            <div className="table-scroll">
              <table className="data-table" data-testid={`table-${id}`}>
                <thead>
                  <tr>
                    {columns.map((c) => (
                      <th key={c.label} scope="col">
                        {c.label}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {rows.map((row) => (
                    <tr key={rowKey(row)}>
                      {columns.map((c) => (
                        <td key={c.label}>{c.value(row)}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </section>
  );
}

function VolumeChart({ filters }: { filters: AnalyticsFilters }) {
  const query = useTicketVolume(filters);
  const rows = query.data ?? [];
  return (
    <ChartCard
      id="volume"
      title="Ticket volume and backlog"
      note={`Opened and closed per ${filters.interval ?? "week"}; backlog is what was still open at the end of each.`}
      query={query}
      rows={rows}
      rowKey={(r) => r.period}
      columns={[
        { label: "Period", value: (r) => r.period },
        { label: "Opened", value: (r) => r.opened },
        { label: "Closed", value: (r) => r.closed },
        { label: "Backlog", value: (r) => r.backlog },
      ]}
      chart={
        <ComposedChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="period" tick={{ fontSize: 11 }} minTickGap={16} />
          <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
          <Tooltip />
          <Legend />
          <Bar dataKey="opened" name="Opened" fill={COLORS.opened} isAnimationActive={false} />
          <Bar dataKey="closed" name="Closed" fill={COLORS.closed} isAnimationActive={false} />
          <Line dataKey="backlog" name="Backlog" stroke={COLORS.backlog} strokeWidth={2} dot={false} isAnimationActive={false} />
        </ComposedChart>
      }
    />
  );
}

function ResolutionChart({ filters }: { filters: AnalyticsFilters }) {
  const query = useResolutionByMonth(filters);
  const rows = Object.entries(query.data ?? {})
    .map(([month, hours]) => ({ month, hours }))
    .sort((a, b) => a.month.localeCompare(b.month));
  return (
    <ChartCard
      id="resolution"
      title="Mean resolution time by month"
      note="Hours from opened to resolved, for tickets resolved in each month."
      query={query}
      rows={rows}
      rowKey={(r) => r.month}
      columns={[
        { label: "Month", value: (r) => r.month },
        { label: "Mean hours", value: (r) => r.hours.toFixed(1) },
        { label: "Reads as", value: (r) => formatHours(r.hours) },
      ]}
      chart={
        <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="month" tick={{ fontSize: 11 }} />
          <YAxis tick={{ fontSize: 11 }} />
          <Tooltip formatter={(value) => formatHours(Number(value))} />
          <Bar dataKey="hours" name="Mean hours" fill={COLORS.bar} isAnimationActive={false} />
        </BarChart>
      }
    />
  );
}

function CategoryChart({ filters }: { filters: AnalyticsFilters }) {
  const query = useCountsByCategory(filters);
  const rows = Object.entries(query.data ?? {})
    .map(([category, count]) => ({ category, count }))
    .sort((a, b) => b.count - a.count || a.category.localeCompare(b.category));
  return (
    <ChartCard
      id="categories"
      title="Tickets by category"
      note="Tickets opened in the date range."
      query={query}
      rows={rows}
      rowKey={(r) => r.category}
      columns={[
        { label: "Category", value: (r) => r.category },
        { label: "Tickets", value: (r) => r.count },
      ]}
      chart={<CategoryBars rows={rows} color={COLORS.bar} name="Tickets" />}
    />
  );
}

function ActiveChart({ filters }: { filters: AnalyticsFilters }) {
  const query = useActiveByCategory(filters);
  const rows = [...(query.data ?? [])].sort(
    (a, b) => b.count - a.count || a.category.localeCompare(b.category),
  );
  return (
    <ChartCard
      id="active"
      title="Active tickets by category"
      note="Open, in progress or waiting right now, of those opened in the date range."
      query={query}
      rows={rows}
      rowKey={(r) => r.category}
      columns={[
        { label: "Category", value: (r) => r.category },
        { label: "Active tickets", value: (r) => r.count },
      ]}
      chart={<CategoryBars rows={rows} color={COLORS.active} name="Active tickets" />}
    />
  );
}

function CategoryBars({ rows, color, name }: { rows: { category: string; count: number }[]; color: string; name: string }) {
  return (
    <BarChart data={rows} layout="vertical" margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
      <CartesianGrid strokeDasharray="3 3" />
      <XAxis type="number" allowDecimals={false} tick={{ fontSize: 11 }} />
      <YAxis type="category" dataKey="category" width={90} tick={{ fontSize: 11 }} />
      <Tooltip />
      <Bar dataKey="count" name={name} fill={color} isAnimationActive={false} />
    </BarChart>
  );
}
