import { useHistory } from "../api/queries";
import type { Change, UserSummary } from "../api/types";
import { Empty, ErrorState, Loading } from "../components/QueryState";
import { formatChangeValue, formatDateTime } from "../lib/format";

const FIELD_NAMES: Record<string, string> = {
  assignee_id: "assignee",
  resolved_at: "resolved time",
  closed_at: "closed time",
};

function value(change: Change, which: "old_value" | "new_value", agents: UserSummary[]): string {
  const raw = change[which];
  if (change.field === "assignee_id" && raw) {
    return agents.find((agent) => String(agent.id) === raw)?.name ?? `user ${raw}`;
  }
  if (change.field.endsWith("_at") && raw) return formatDateTime(raw);
  return formatChangeValue(change.field, raw);
}

function describe(change: Change, agents: UserSummary[]): string {
  const field = FIELD_NAMES[change.field] ?? change.field;
  if (change.field === "status" && change.old_value === null) return "opened the ticket";
  if (change.field === "description") return "edited the description";
  return `changed ${field} from ${value(change, "old_value", agents)} to ${value(change, "new_value", agents)}`;
}

/** Every change to the ticket, oldest first. */
export function History({ ticketId, agents }: { ticketId: number; agents: UserSummary[] }) {
  const history = useHistory(ticketId);
  const all = history.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section className="panel" aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      {history.isPending ? (
        <Loading label="Loading the history" />
      ) : history.isError ? (
        <ErrorState error={history.error} onRetry={() => void history.refetch()} />
      ) : all.length === 0 ? (
        <Empty>
          <p>No changes recorded.</p>
        </Empty>
      ) : (
        <ol className="history">
          {all.map((change) => (
            <li key={change.id}>
              <strong>{change.actor?.name ?? "System"}</strong> {describe(change, agents)}{" "}
              <time className="muted" dateTime={change.changed_at}>
                {formatDateTime(change.changed_at)}
              </time>
            </li>
          ))}
        </ol>
      )}
      {history.hasNextPage && (
        <button
          type="button"
          className="button"
          disabled={history.isFetchingNextPage}
          onClick={() => void history.fetchNextPage()}
        >
          Show more
        </button>
      )}
    </section>
  );
}
