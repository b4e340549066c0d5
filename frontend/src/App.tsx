import { lazy, Suspense } from "react";
import { Navigate, Route, Routes } from "react-router";
import { RequireAuth } from "./auth/guards";
import { Layout } from "./components/Layout";
import { Loading } from "./components/QueryState";
import { AdminUsersPage } from "./pages/AdminUsersPage";
import { NewTicketPage } from "./pages/NewTicketPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { SignInPage } from "./pages/SignInPage";
import { TicketDetailPage } from "./pages/TicketDetailPage";
import { TicketListPage } from "./pages/TicketListPage";
import { TokensPage } from "./pages/TokensPage";

// The charting library is large: load it only when the dashboard is opened.
const DashboardPage = lazy(() => import("./pages/DashboardPage").then((m) => ({ default: m.DashboardPage })));

export function App() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route path="/signin" element={<SignInPage />} />
        <Route index element={<Navigate to="/tickets" replace />} />
        <Route path="/tickets" element={<RequireAuth><TicketListPage /></RequireAuth>} />
        <Route path="/tickets/new" element={<RequireAuth><NewTicketPage /></RequireAuth>} />
        <Route path="/tickets/:ticketId" element={<RequireAuth><TicketDetailPage /></RequireAuth>} />
        <Route path="/dashboard" element={<RequireAuth roles={["agent", "admin"]}>
              <Suspense fallback={<Loading label="Loading the dashboard" />}>
                <DashboardPage />
              </Suspense>
            </RequireAuth>} />
        <Route path="/admin/users" element={<RequireAuth roles={["admin"]}><AdminUsersPage /></RequireAuth>} />
        <Route path="/tokens" element={<RequireAuth roles={["agent", "admin"]}><TokensPage /></RequireAuth>} />
        <Route path="*" element={<RequireAuth><NotFoundPage /></RequireAuth>} />
      </Route>
    </Routes>
  );
}
