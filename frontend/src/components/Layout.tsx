import { useEffect, useRef } from "react";
import { NavLink, Outlet, useLocation, useNavigate } from "react-router";
import { errorMessage } from "../api/errors";
import { isStaff, useSession, useSignOut } from "../auth/session";
import { ROLE_LABELS } from "../lib/format";

export function Layout() {
  const { data: session } = useSession();
  const signOut = useSignOut();
  const navigate = useNavigate();
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  const user = session?.user;

  // After client-side navigation, move focus to the page so screen readers announce it.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [location.pathname]);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <NavLink to="/tickets" className="brand">
          ticketdesk
        </NavLink>
        {user && (
          <nav aria-label="Main" className="mainnav">
            <NavLink to="/tickets" end>
              Tickets
            </NavLink>
            <NavLink to="/tickets/new">New ticket</NavLink>
            {isStaff(user.role) && <NavLink to="/dashboard">Dashboard</NavLink>}
            {user.role === "admin" && <NavLink to="/admin/users">Users</NavLink>}
            {isStaff(user.role) && <NavLink to="/tokens">API tokens</NavLink>}
          </nav>
        )}
        {user && (
          <div className="account">
            <span className="account-name">
              {user.name} <span className="muted">({ROLE_LABELS[user.role]})</span>
            </span>
            <button
              type="button"
              className="button button-quiet"
              disabled={signOut.isPending}
              onClick={() => {
                signOut.mutate(undefined, { onSettled: () => void navigate("/signin") });
              }}
            >
              Sign out
            </button>
            {signOut.isError && (
              <span role="alert" className="field-error">
                {errorMessage(signOut.error)}
              </span>
            )}
          </div>
        )}
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
