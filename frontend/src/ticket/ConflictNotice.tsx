import type { TicketPatch, UserSummary } from "../api/types";
import type { Conflict } from "./useTicketUpdate";
import { PRIORITY_LABELS, STATUS_LABELS, formatDateTime } from "../lib/format";

const FIELD_LABELS: Record<string, string> = {
  status: "Status",
  category: "Category",
  priority: "Priority",
  assignee_id: "Assignee",
  title: "Title",
  description: "Description",
};

type Value = string | number | boolean | null | undefined;

function show(field: string, value: Value, agents: UserSummary[]): string {
  if (value === null || value === undefined || value === "") {
    return field === "assignee_id" ? "Unassigned" : "—";
  }
  if (field === "status") return STATUS_LABELS[value as keyof typeof STATUS_LABELS];
  if (field === "priority") return PRIORITY_LABELS[value as keyof typeof PRIORITY_LABELS];
  if (field === "assignee_id") {
    return agents.find((agent) => agent.id === value)?.name ?? `User ${String(value)}`;
  }
  return String(value);
}

interface Props {
  conflict: Conflict;
  agents: UserSummary[];
  busy: boolean;
  onApplyMine: (changes: TicketPatch, version: number) => void;
  onKeepTheirs: () => void;
}

/** Shows our unsaved edit beside the newer version someone else saved. */
export function ConflictNotice({ conflict, agents, busy, onApplyMine, onKeepTheirs }: Props) {
  const { mine, theirs } = conflict;
  const theirsByField = theirs as unknown as Record<string, Value>;
  const fields = Object.keys(mine);
  return (
    <div className="conflict" role="alert" aria-labelledby="conflict-title">
      <h2 id="conflict-title">Conflict: someone else changed this ticket</h2>
      <p>
        While you were editing, this ticket was saved by someone else (now version {theirs.version},
        updated {formatDateTime(theirs.updated_at)}). Your change was <strong>not</strong> saved.
        The page now shows the newer version.
      </p>
      <table className="conflict-table">
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Your change</th>
            <th scope="col">Newer version</th>
          </tr>
        </thead>
        <tbody>
          {fields.map((field) => (
            <tr key={field}>
              <th scope="row">{FIELD_LABELS[field] ?? field}</th>
              <td>{show(field, (mine as Record<string, Value>)[field], agents)}</td>
              <td>{show(field, theirsByField[field], agents)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="button-row">
        <button
          type="button"
          className="button button-primary"
          disabled={busy}
          onClick={() => onApplyMine(mine, theirs.version)}
        >
          Apply my change to the newer version
        </button>
        <button type="button" className="button" onClick={onKeepTheirs}>
          Keep the newer version
        </button>
      </div>
    </div>
  );
}
