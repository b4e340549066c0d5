import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type SubmitEvent } from "react";
import { api, unwrap } from "../api/client";
import { ApiError, errorMessage } from "../api/errors";
import { keys, useTokens, useUsers } from "../api/queries";
import type { Token, TokenCreated } from "../api/types";
import { useCurrentUser } from "../auth/session";
import { Field } from "../components/Field";
import { Empty, ErrorState, Loading } from "../components/QueryState";
import { formatDateTime } from "../lib/format";
import { useTitle } from "../lib/useTitle";

export function TokensPage() {
  useTitle("API tokens");
  const me = useCurrentUser();
  const admin = me.role === "admin";
  const tokens = useTokens();
  const users = useUsers(1, admin);
  const nameOf = (id: number) =>
    id === me.id ? "you" : (users.data?.items.find((u) => u.id === id)?.email ?? `user ${id}`);
  return (
    <section aria-labelledby="tokens-title">
      <h1 id="tokens-title">API tokens</h1>
      <p className="muted">
        Tokens let scripts call the API with <code>Authorization: Bearer …</code>. A token’s secret is shown
        once, when it is created.
      </p>
      <CreateTokenForm admin={admin} />
      <section className="panel" aria-labelledby="token-list-title">
        <h2 id="token-list-title">{admin ? "All live tokens" : "Your live tokens"}</h2>
        {tokens.isPending ? (
          <Loading label="Loading tokens" />
        ) : tokens.isError ? (
          <ErrorState error={tokens.error} onRetry={() => void tokens.refetch()} />
        ) : tokens.data.length === 0 ? (
          <Empty>
            <p>No tokens.</p>
          </Empty>
        ) : (
          <ul className="token-list">
            {tokens.data.map((token) => (
              <TokenRow key={token.id} token={token} owner={admin ? nameOf(token.user_id) : null} />
            ))}
          </ul>
        )}
      </section>
    </section>
  );
}

function CreateTokenForm({ admin }: { admin: boolean }) {
  const queryClient = useQueryClient();
  const users = useUsers(1, admin);
  const [label, setLabel] = useState("");
  const [userId, setUserId] = useState("");
  const [created, setCreated] = useState<TokenCreated | null>(null);
  const create = useMutation({
    mutationFn: (body: { label: string; user_id?: number }) => unwrap(api.POST("/api/tokens", { body })),
    onSuccess: (token) => {
      setCreated(token);
      setLabel("");
      void queryClient.invalidateQueries({ queryKey: keys.tokens });
    },
  });
  const errors = create.error instanceof ApiError ? create.error.byField() : {};
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    setCreated(null);
    create.mutate(userId ? { label, user_id: Number(userId) } : { label });
  };
  return (
    <section className="panel" aria-labelledby="create-token-title">
      <h2 id="create-token-title">Create a token</h2>
      <form onSubmit={submit} className="form-grid">
        <Field label="Label" error={errors.label} hint="What the token is for, e.g. “nightly export”.">
          <input value={label} maxLength={100} onChange={(e) => setLabel(e.target.value)} />
        </Field>
        {admin && (
          <Field label="For user" error={errors.user_id}>
            <select value={userId} onChange={(e) => setUserId(e.target.value)}>
              <option value="">Myself</option>
              {(users.data?.items ?? [])
                .filter((u) => u.is_active)
                .map((u) => (
                  <option key={u.id} value={String(u.id)}>
                    {u.email}
                  </option>
                ))}
            </select>
          </Field>
        )}
        <div className="button-row">
          <button type="submit" className="button button-primary" disabled={create.isPending}>
            Create token
          </button>
        </div>
      </form>
      {create.isError && Object.keys(errors).length === 0 && (
        <p className="form-error" role="alert">
          {errorMessage(create.error)}
        </p>
      )}
      {created && (
        <div className="notice-ok secret" role="status">
          <p>
            Token created. Copy it now: it will not be shown again.
          </p>
          <label htmlFor="new-token-secret">Secret</label>
          <input id="new-token-secret" readOnly value={created.token} onFocus={(e) => e.target.select()} />
        </div>
      )}
    </section>
  );
}

function TokenRow({ token, owner }: { token: Token; owner: string | null }) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const revoke = useMutation({
    mutationFn: () => unwrap(api.DELETE("/api/tokens/{token_id}", { params: { path: { token_id: token.id } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: keys.tokens }),
  });
  return (
    <li className="token-row">
      <div>
        <strong>{token.label || "(no label)"}</strong>
        <span className="muted">
          {" "}
          · #{token.id}
          {owner && ` · ${owner}`} · created {formatDateTime(token.created_at)}
        </span>
      </div>
      <div className="button-row">
        {confirming ? (
          <>
            <button type="button" className="button button-danger" disabled={revoke.isPending} onClick={() => revoke.mutate()}>
              Revoke {token.label || `token ${token.id}`} now
            </button>
            <button type="button" className="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </>
        ) : (
          <button type="button" className="button" onClick={() => setConfirming(true)}>
            Revoke…
          </button>
        )}
      </div>
      {revoke.isError && (
        <p className="form-error" role="alert">
          {errorMessage(revoke.error)}
        </p>
      )}
    </li>
  );
}
