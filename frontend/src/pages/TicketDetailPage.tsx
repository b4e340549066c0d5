import { Link, useParams } from "react-router";
import { isStatus } from "../api/errors";
import { useAgents, useTicket } from "../api/queries";
import { isStaff, useCurrentUser } from "../auth/session";
import { PriorityBadge, StatusBadge } from "../components/Badges";
import { ErrorState, Loading } from "../components/QueryState";
import { formatDateTime } from "../lib/format";
import { useTitle } from "../lib/useTitle";
import { Conversation } from "../ticket/Conversation";
import { History } from "../ticket/History";
import { TicketControls } from "../ticket/TicketControls";
import { NotFoundPage } from "./NotFoundPage";

export function TicketDetailPage() {
  const { ticketId } = useParams();
  const id = Number(ticketId);
  if (!Number.isInteger(id) || id < 1 || id > 2 ** 31 - 1) return <NotFoundPage what="ticket" />;
  return <TicketDetail key={id} id={id} />;
}

function TicketDetail({ id }: { id: number }) {
  const user = useCurrentUser();
  const staff = isStaff(user.role);
  const ticket = useTicket(id);
  const agents = useAgents(staff);
  useTitle(ticket.data ? `#${id} ${ticket.data.title}` : `Ticket #${id}`);

  if (ticket.isPending) return <Loading label="Loading the ticket" />;
  if (ticket.isError) {
    if (isStatus(ticket.error, 404)) return <NotFoundPage what="ticket" />;
    return <ErrorState error={ticket.error} onRetry={() => void ticket.refetch()} />;
  }
  const t = ticket.data;
  return (
    <article className="ticket-detail" aria-labelledby="ticket-title">
      <p className="breadcrumb">
        <Link to="/tickets">← All tickets</Link>
      </p>
      <header className="ticket-head">
        <h1 id="ticket-title">
          <span className="muted">#{t.id}</span> <span data-testid="ticket-title">{t.title}</span>
        </h1>
        <div className="badges">
          <StatusBadge status={t.status} />
          <PriorityBadge priority={t.priority} />
        </div>
      </header>
      <div className="ticket-grid">
        <div className="ticket-main">
          <section className="panel" aria-labelledby="description-title">
            <h2 id="description-title">Description</h2>
            <p className="description">{t.description}</p>
          </section>
          <Conversation ticketId={t.id} staff={staff} />
        </div>
        <aside className="ticket-side" aria-label="Ticket details">
          <section className="panel">
            <h2>Details</h2>
            <dl className="facts">
              <dt>Category</dt>
              <dd>{t.category}</dd>
              <dt>Requester</dt>
              <dd>{t.requester.name}</dd>
              <dt>Assignee</dt>
              <dd>{t.assignee?.name ?? "Unassigned"}</dd>
              <dt>Opened</dt>
              <dd>{formatDateTime(t.opened_at)}</dd>
              <dt>Updated</dt>
              <dd>{formatDateTime(t.updated_at)}</dd>
              {t.resolved_at && (
                <>
                  <dt>Resolved</dt>
                  <dd>{formatDateTime(t.resolved_at)}</dd>
                </>
              )}
              {t.closed_at && (
                <>
                  <dt>Closed</dt>
                  <dd>{formatDateTime(t.closed_at)}</dd>
                </>
              )}
            </dl>
          </section>
          {staff && <TicketControls ticket={t} agents={agents.data ?? []} />}
          <History ticketId={t.id} agents={agents.data ?? []} />
        </aside>
      </div>
    </article>
  );
}
