import { useState, type SubmitEvent } from "react";
import { ApiError, errorMessage } from "../api/errors";
import { useCategories } from "../api/queries";
import { PRIORITIES, type Priority, type Status, type Ticket, type TicketPatch, type UserSummary } from "../api/types";
import { Field } from "../components/Field";
import { PRIORITY_LABELS, STATUS_LABELS } from "../lib/format";
import { ConflictNotice } from "./ConflictNotice";
import { useTicketUpdate } from "./useTicketUpdate";

interface Props {
  ticket: Ticket;
  agents: UserSummary[];
}

interface Draft {
  /** The version the first edit was made against: sent as If-Match. */
  baseVersion: number;
  changes: TicketPatch;
}

/** Status change (legal next states only) and category/priority/assignee edits, for agents. */
export function TicketControls({ ticket, agents }: Props) {
  const { mutation, conflict, dismissConflict } = useTicketUpdate(ticket.id);
  const [nextStatus, setNextStatus] = useState<Status | "">("");
  const [draft, setDraft] = useState<Draft | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const categories = useCategories();
  const nextStatuses = ticket.next_statuses ?? [];

  const values = {
    category: draft?.changes.category ?? ticket.category,
    priority: draft?.changes.priority ?? ticket.priority,
    assignee_id: draft && "assignee_id" in draft.changes ? (draft.changes.assignee_id ?? null) : ticket.assignee_id,
  };
  const edit = (changes: TicketPatch) => {
    setSaved(null);
    setDraft((current) => ({
      baseVersion: current?.baseVersion ?? ticket.version,
      changes: { ...current?.changes, ...changes },
    }));
  };
  const fieldErrors = mutation.error instanceof ApiError ? mutation.error.byField() : {};
  const generalError =
    mutation.isError && !(mutation.error instanceof ApiError && mutation.error.status === 412)
      ? errorMessage(mutation.error)
      : null;

  const submitStatus = (event: SubmitEvent) => {
    event.preventDefault();
    if (!nextStatus) return;
    setSaved(null);
    mutation.mutate(
      { changes: { status: nextStatus }, version: ticket.version },
      {
        onSuccess: (updated) => {
          setNextStatus("");
          setSaved(`Status changed to ${STATUS_LABELS[updated.status]}.`);
        },
      },
    );
  };

  const submitFields = (event: SubmitEvent) => {
    event.preventDefault();
    if (!draft) return;
    const changes = onlyChanged(draft.changes, ticket);
    if (Object.keys(changes).length === 0) {
      setDraft(null);
      return;
    }
    mutation.mutate(
      { changes, version: draft.baseVersion },
      {
        onSuccess: () => {
          setDraft(null);
          setSaved("Changes saved.");
        },
        onError: (error) => {
          if (error instanceof ApiError && error.status === 412) setDraft(null);
        },
      },
    );
  };

  return (
    <section className="panel controls" aria-labelledby="controls-title">
      <h2 id="controls-title">Work this ticket</h2>
      {conflict && (
        <ConflictNotice
          conflict={conflict}
          agents={agents}
          busy={mutation.isPending}
          onKeepTheirs={dismissConflict}
          onApplyMine={(changes, version) => {
            mutation.mutate(
              { changes, version },
              { onSuccess: () => setSaved("Your change was applied to the newer version.") },
            );
          }}
        />
      )}
      <form className="status-form" onSubmit={submitStatus} aria-label="Change status">
        <Field
          label="Move to status"
          hint={nextStatuses.length ? `Now ${STATUS_LABELS[ticket.status]}.` : "No further moves from here."}
          error={fieldErrors.status}
        >
          <select value={nextStatus} onChange={(e) => setNextStatus(e.target.value as Status | "")}>
            <option value="">Choose the next status…</option>
            {nextStatuses.map((status) => (
              <option key={status} value={status}>
                {STATUS_LABELS[status]}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" className="button button-primary" disabled={!nextStatus || mutation.isPending}>
          Change status
        </button>
      </form>

      <form className="fields-form" onSubmit={submitFields} aria-label="Edit ticket fields">
        <Field label="Category" error={fieldErrors.category}>
          <input
            list="category-options"
            value={values.category}
            maxLength={100}
            onChange={(e) => edit({ category: e.target.value })}
          />
        </Field>
        <datalist id="category-options">
          {(categories.data ?? []).map((category) => (
            <option key={category} value={category} />
          ))}
        </datalist>
        <Field label="Priority" error={fieldErrors.priority}>
          <select value={values.priority} onChange={(e) => edit({ priority: e.target.value as Priority })}>
            {PRIORITIES.map((priority) => (
              <option key={priority} value={priority}>
                {PRIORITY_LABELS[priority]}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Assignee" error={fieldErrors.assignee_id}>
          <select
            value={values.assignee_id === null ? "" : String(values.assignee_id)}
            onChange={(e) => edit({ assignee_id: e.target.value ? Number(e.target.value) : null })}
          >
            <option value="">Unassigned</option>
            {agents.map((agent) => (
              <option key={agent.id} value={String(agent.id)}>
                {agent.name}
              </option>
            ))}
            {ticket.assignee && !agents.some((a) => a.id === ticket.assignee?.id) && (
              <option value={String(ticket.assignee.id)}>{ticket.assignee.name}</option>
            )}
          </select>
        </Field>
        <div className="button-row">
          <button type="submit" className="button button-primary" disabled={!draft || mutation.isPending}>
            Save changes
          </button>
          {draft && (
            <button type="button" className="button" onClick={() => setDraft(null)}>
              Discard
            </button>
          )}
        </div>
      </form>
      <div aria-live="polite">
        {mutation.isPending && <p className="muted">Saving…</p>}
        {saved && !mutation.isPending && <p className="notice-ok">{saved}</p>}
        {generalError && (
          <p className="form-error" role="alert">
            {generalError}
          </p>
        )}
      </div>
    </section>
  );
}

function onlyChanged(changes: TicketPatch, ticket: Ticket): TicketPatch {
  const out: TicketPatch = {};
  if (changes.category != null && changes.category.trim() !== ticket.category) {
    out.category = changes.category.trim();
  }
  if (changes.priority != null && changes.priority !== ticket.priority) out.priority = changes.priority;
  if ("assignee_id" in changes && changes.assignee_id !== ticket.assignee_id) {
    out.assignee_id = changes.assignee_id ?? null;
  }
  return out;
}
