import { useState, type SubmitEvent } from "react";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { ApiError, errorMessage } from "../api/errors";
import { useSession, useSignIn } from "../auth/session";
import { Field } from "../components/Field";
import { Loading } from "../components/QueryState";
import { useTitle } from "../lib/useTitle";

/** Only paths inside the app, so `?next=` cannot send anyone elsewhere. */
export function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\")
    ? next
    : "/tickets";
}

function signInError(error: unknown): string {
  if (error instanceof ApiError && error.status === 429) {
    const wait = error.retryAfter;
    return wait
      ? `Too many failed attempts. Try again in ${wait} second${wait === 1 ? "" : "s"}.`
      : "Too many failed attempts. Try again later.";
  }
  if (error instanceof ApiError && error.status === 401) return "Wrong email or password.";
  return errorMessage(error);
}

export function SignInPage() {
  useTitle("Sign in");
  const session = useSession();
  const signIn = useSignIn();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const next = safeNext(params.get("next"));

  if (session.isPending) return <Loading label="Checking your sign-in" />;
  if (session.data && !signIn.isPending) return <Navigate to={next} replace />;

  const fieldErrors = signIn.error instanceof ApiError ? signIn.error.byField() : {};
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    signIn.mutate(
      { email: email.trim(), password },
      { onSuccess: () => void navigate(next, { replace: true }) },
    );
  };

  return (
    <section className="signin panel" aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in to ticketdesk</h1>
      <form onSubmit={submit} noValidate>
        <Field label="Email" error={fieldErrors.email}>
          <input
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </Field>
        <Field label="Password" error={fieldErrors.password}>
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        {signIn.isError && (
          <p className="form-error" role="alert">
            {signInError(signIn.error)}
          </p>
        )}
        <button type="submit" className="button button-primary" disabled={signIn.isPending}>
          {signIn.isPending ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </section>
  );
}
