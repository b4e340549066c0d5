import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type SubmitEvent } from "react";
import { api, unwrap } from "../api/client";
import { ApiError, errorMessage } from "../api/errors";
import { keys, useComments } from "../api/queries";
import type { Comment } from "../api/types";
import { Field } from "../components/Field";
import { Empty, ErrorState, Loading } from "../components/QueryState";
import { formatDateTime } from "../lib/format";

/** The replies and (for agents) internal notes on a ticket, and the form to add one. */
export function Conversation({ ticketId, staff }: { ticketId: number; staff: boolean }) {
  const comments = useComments(ticketId);
  const all = comments.data?.pages.flatMap((page) => page.items) ?? [];
  const total = comments.data?.pages[0]?.total ?? 0;
  return (
    <section className="panel" aria-labelledby="conversation-title">
      <h2 id="conversation-title">
        Conversation {comments.data && <span className="muted">({total})</span>}
      </h2>
      {comments.isPending ? (
        <Loading label="Loading the conversation" />
      ) : comments.isError ? (
        <ErrorState error={comments.error} onRetry={() => void comments.refetch()} />
      ) : all.length === 0 ? (
        <Empty>
          <p>No replies yet.</p>
        </Empty>
      ) : (
        <ol className="comments">
          {all.map((comment) => (
            <CommentItem key={comment.id} comment={comment} />
          ))}
        </ol>
      )}
      {comments.hasNextPage && (
        <button
          type="button"
          className="button"
          disabled={comments.isFetchingNextPage}
          onClick={() => void comments.fetchNextPage()}
        >
          Show more ({total - all.length} more)
        </button>
      )}
      <CommentForm ticketId={ticketId} staff={staff} />
    </section>
  );
}

function CommentItem({ comment }: { comment: Comment }) {
  return (
    <li className={comment.internal ? "comment comment-internal" : "comment comment-public"}>
      <article aria-label={`${comment.internal ? "Internal note" : "Reply"} by ${comment.author.name}`}>
        <header className="comment-header">
          <span className={comment.internal ? "tag tag-internal" : "tag tag-public"}>
            {comment.internal ? "Internal note · agents only" : "Public reply"}
          </span>
          <strong>{comment.author.name}</strong>
          <time dateTime={comment.created_at} className="muted">
            {formatDateTime(comment.created_at)}
          </time>
        </header>
        <p className="comment-body">{comment.content}</p>
      </article>
    </li>
  );
}

function CommentForm({ ticketId, staff }: { ticketId: number; staff: boolean }) {
  const queryClient = useQueryClient();
  const [content, setContent] = useState("");
  const [internal, setInternal] = useState(false);
  const add = useMutation({
    mutationFn: (body: { content: string; internal: boolean }) =>
      unwrap(api.POST("/api/tickets/{ticket_id}/comments", { params: { path: { ticket_id: ticketId } }, body })),
    onSuccess: () => {
      setContent("");
      setInternal(false);
      void queryClient.invalidateQueries({ queryKey: keys.comments(ticketId) });
      void queryClient.invalidateQueries({ queryKey: keys.ticket(ticketId) });
    },
  });
  const fieldErrors = add.error instanceof ApiError ? add.error.byField() : {};
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    add.mutate({ content, internal: staff && internal });
  };
  return (
    <form className={`comment-form${internal ? " is-internal" : ""}`} onSubmit={submit}>
      <Field label={internal ? "Internal note" : "Your reply"} error={fieldErrors.content}>
        <textarea
          name="content"
          rows={4}
          required
          maxLength={50_000}
          value={content}
          onChange={(e) => setContent(e.target.value)}
        />
      </Field>
      {staff && (
        <div className="checkbox">
          <input
            id={`internal-${ticketId}`}
            type="checkbox"
            checked={internal}
            onChange={(e) => setInternal(e.target.checked)}
          />
          <label htmlFor={`internal-${ticketId}`}>Internal note (only agents see it)</label>
        </div>
      )}
      {add.isError && !fieldErrors.content && (
        <p className="form-error" role="alert">
          {errorMessage(add.error)}
        </p>
      )}
      <button type="submit" className="button button-primary" disabled={add.isPending || !content.trim()}>
        {internal ? "Add internal note" : "Send reply"}
      </button>
    </form>
  );
}
