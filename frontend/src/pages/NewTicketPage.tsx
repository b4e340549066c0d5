import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type SubmitEvent } from "react";
import { useNavigate } from "react-router";
import { api, unwrap } from "../api/client";
import { ApiError, errorMessage } from "../api/errors";
import { keys, useCategories } from "../api/queries";
import { PRIORITIES, type Priority, type TicketCreate } from "../api/types";
import { Field } from "../components/Field";
import { PRIORITY_LABELS } from "../lib/format";
import { useTitle } from "../lib/useTitle";

const FORM_FIELDS = new Set(["title", "description", "category", "priority"]);

export function NewTicketPage() {
  useTitle("New ticket");
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const categories = useCategories();
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [category, setCategory] = useState("");
  const [priority, setPriority] = useState<Priority>("normal");

  const create = useMutation({
    mutationFn: (body: TicketCreate) => unwrap(api.POST("/api/tickets", { body })),
    onSuccess: (ticket) => {
      void queryClient.invalidateQueries({ queryKey: keys.tickets });
      void queryClient.invalidateQueries({ queryKey: keys.categories });
      queryClient.setQueryData(keys.ticket(ticket.id), ticket);
      void navigate(`/tickets/${ticket.id}`);
    },
  });

  const errors = create.error instanceof ApiError ? create.error.byField() : {};
  const otherErrors =
    create.error instanceof ApiError
      ? create.error.fieldErrors.filter((e) => !FORM_FIELDS.has(e.field.replace(/^body\./, "")))
      : [];

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    // Sent as typed: the API's validation messages are shown at the fields.
    const body: TicketCreate = { title, description, priority };
    if (category.trim()) body.category = category;
    create.mutate(body);
  };

  return (
    <section className="panel form-page" aria-labelledby="new-title">
      <h1 id="new-title">New ticket</h1>
      <form onSubmit={submit} noValidate>
        <Field label="Title" error={errors.title} hint="A short summary, e.g. “VPN drops every hour”.">
          <input name="title" value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} />
        </Field>
        <Field label="Description" error={errors.description} hint="What happened, and what you expected.">
          <textarea
            name="description"
            rows={8}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </Field>
        <div className="form-row">
          <Field label="Category" error={errors.category} hint="Leave empty if unsure.">
            <input
              name="category"
              list="new-category-options"
              value={category}
              maxLength={100}
              onChange={(e) => setCategory(e.target.value)}
            />
          </Field>
          <datalist id="new-category-options">
            {(categories.data ?? []).map((c) => (
              <option key={c} value={c} />
            ))}
          </datalist>
          <Field label="Priority" error={errors.priority}>
            <select name="priority" value={priority} onChange={(e) => setPriority(e.target.value as Priority)}>
              {PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {PRIORITY_LABELS[p]}
                </option>
              ))}
            </select>
          </Field>
        </div>
        {create.isError && (Object.keys(errors).length === 0 || otherErrors.length > 0) && (
          <div className="form-error" role="alert">
            <p>{errorMessage(create.error)}</p>
            {otherErrors.length > 0 && (
              <ul>
                {otherErrors.map((e) => (
                  <li key={e.field}>
                    {e.field}: {e.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        {create.isError && Object.keys(errors).length > 0 && otherErrors.length === 0 && (
          <p className="form-error" role="alert">
            Please correct the fields marked below.
          </p>
        )}
        <div className="button-row">
          <button type="submit" className="button button-primary" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create ticket"}
          </button>
        </div>
      </form>
    </section>
  );
}
