import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router";
import type { Role } from "../api/types";
import { ErrorState, Loading } from "../components/QueryState";
import { useSession } from "./session";

/** Renders its children for a signed-in user (of one of `roles`, when given). */
export function RequireAuth({ children, roles }: { children: ReactNode; roles?: Role[] }) {
  const session = useSession();
  const location = useLocation();
  if (session.isPending) return <Loading label="Checking your sign-in" />;
  if (session.isError) return <ErrorState error={session.error} onRetry={() => void session.refetch()} />;
  if (!session.data) {
    const next = location.pathname + location.search;
    return <Navigate to={`/signin?next=${encodeURIComponent(next)}`} replace />;
  }
  if (roles && !roles.includes(session.data.user.role)) {
    return (
      <section className="panel" aria-labelledby="forbidden-title">
        <h1 id="forbidden-title">Not available</h1>
        <p>This page is for {roles.join(" and ")} accounts only.</p>
      </section>
    );
  }
  return <>{children}</>;
}
