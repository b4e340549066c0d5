import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type SubmitEvent } from "react";
import { api, unwrap } from "../api/client";
import { ApiError, errorMessage } from "../api/errors";
import { useUsers } from "../api/queries";
import { ROLES, type Role, type User, type UserCreate, type UserUpdate } from "../api/types";
import { useCurrentUser } from "../auth/session";
import { Field } from "../components/Field";
import { Pagination } from "../components/Pagination";
import { Empty, ErrorState, Loading } from "../components/QueryState";
import { formatDate, ROLE_LABELS } from "../lib/format";
import { useTitle } from "../lib/useTitle";

export function AdminUsersPage() {
  useTitle("Users");
  const [page, setPage] = useState(1);
  const users = useUsers(page);
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      <CreateUserForm />
      <section className="panel" aria-labelledby="user-list-title">
        <h2 id="user-list-title">Accounts</h2>
        {users.isPending ? (
          <Loading label="Loading users" />
        ) : users.isError ? (
          <ErrorState error={users.error} onRetry={() => void users.refetch()} />
        ) : users.data.items.length === 0 ? (
          <Empty>
            <p>No users.</p>
          </Empty>
        ) : (
          <>
            <ul className="user-list">
              {users.data.items.map((user) => (
                <UserRow key={user.id} user={user} />
              ))}
            </ul>
            <Pagination label="User pages" page={page} perPage={50} total={users.data.total} onPage={setPage} />
          </>
        )}
      </section>
    </section>
  );
}

function CreateUserForm() {
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("requester");
  const [password, setPassword] = useState("");
  const [created, setCreated] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: (body: UserCreate) => unwrap(api.POST("/api/users", { body })),
    onSuccess: (user) => {
      setCreated(`Created ${user.email} (${ROLE_LABELS[user.role]}).`);
      setEmail("");
      setName("");
      setPassword("");
      setRole("requester");
      void queryClient.invalidateQueries({ queryKey: ["users"] });
      void queryClient.invalidateQueries({ queryKey: ["agents"] });
    },
  });
  const errors = create.error instanceof ApiError ? create.error.byField() : {};
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    setCreated(null);
    const body: UserCreate = { email: email.trim(), role, password };
    if (name.trim()) body.name = name.trim();
    create.mutate(body);
  };
  return (
    <section className="panel" aria-labelledby="create-user-title">
      <h2 id="create-user-title">Add a user</h2>
      <form onSubmit={submit} noValidate className="form-grid">
        <Field label="Email" error={errors.email}>
          <input type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field label="Name" error={errors.name} hint="Optional">
          <input autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Role" error={errors.role}>
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Initial password" error={errors.password} hint="At least 8 characters.">
          <input type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <div className="button-row">
          <button type="submit" className="button button-primary" disabled={create.isPending}>
            Add user
          </button>
        </div>
      </form>
      <div aria-live="polite">
        {created && <p className="notice-ok">{created}</p>}
        {create.isError && Object.keys(errors).length === 0 && (
          <p className="form-error" role="alert">
            {errorMessage(create.error)}
          </p>
        )}
      </div>
    </section>
  );
}

function UserRow({ user }: { user: User }) {
  const me = useCurrentUser();
  const queryClient = useQueryClient();
  const [role, setRole] = useState<Role>(user.role);
  const update = useMutation({
    mutationFn: (body: UserUpdate) =>
      unwrap(api.PATCH("/api/users/{user_id}", { params: { path: { user_id: user.id } }, body })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["users"] });
      void queryClient.invalidateQueries({ queryKey: ["agents"] });
    },
  });
  const self = user.id === me.id;
  const roleId = `role-${user.id}`;
  return (
    <li className={`user-row${user.is_active ? "" : " is-inactive"}`}>
      <div className="user-who">
        <strong>{user.name}</strong> <span className="muted">{user.email}</span>
        <span className="muted">
          {" "}
          · since {formatDate(user.created_at)}
          {!user.is_active && " · deactivated"}
          {self && " · you"}
        </span>
      </div>
      <div className="user-actions">
        <label htmlFor={roleId} className="visually-hidden">
          Role of {user.email}
        </label>
        <select id={roleId} value={role} disabled={self} onChange={(e) => setRole(e.target.value as Role)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {ROLE_LABELS[r]}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="button"
          disabled={self || role === user.role || update.isPending}
          onClick={() => update.mutate({ role })}
        >
          Change role
        </button>
        <button
          type="button"
          className="button"
          disabled={self || update.isPending}
          onClick={() => update.mutate({ is_active: !user.is_active })}
        >
          {user.is_active ? "Deactivate" : "Reactivate"}
        </button>
      </div>
      {update.isError && (
        <p className="form-error" role="alert">
          {errorMessage(update.error)}
        </p>
      )}
    </li>
  );
}
