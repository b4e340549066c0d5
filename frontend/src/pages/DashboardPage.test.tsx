import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { json, makeUser, mockApi, problem, renderApp } from "../test/utils";

function rows(testId: string): string[][] {
  const table = screen.getByTestId(testId);
  return within(table)
    .getAllByRole("row")
    .slice(1)
    .map((row) => within(row).getAllByRole("cell").map((cell) => cell.textContent));
}

describe("dashboard", () => {
  it("shows the analytics API's numbers, filtered as the URL says", async () => {
    const calls = mockApi((call) => {
      switch (call.path) {
        case "/api/analytics/ticket_volume":
          return json([
            { period: "2026-01", opened: 12, closed: 5, backlog: 7 },
            { period: "2026-02", opened: 3, closed: 8, backlog: 2 },
          ]);
        case "/api/analytics/resolution_time_by_month":
          return json({ "2026-02": 30.25, "2026-01": 12.5 });
        case "/api/analytics/counts_by_category":
          return json({ network: 4, hardware: 9 });
        case "/api/analytics/active_by_category":
          return json([{ category: "network", count: 2 }]);
        case "/api/categories":
          return json(["hardware", "network"]);
        default:
          return undefined;
      }
    });
    renderApp("/dashboard?from=2026-01-01&to=2026-02-28&category=network&interval=month", makeUser("agent"));
    await screen.findByTestId("table-volume", {}, { timeout: 4000 });
    await screen.findByTestId("table-active");
    expect(rows("table-volume")).toEqual([
      ["2026-01", "12", "5", "7"],
      ["2026-02", "3", "8", "2"],
    ]);
    expect(rows("table-resolution")).toEqual([
      ["2026-01", "12.5", "12.5 h"],
      ["2026-02", "30.3", "30.3 h"],
    ]);
    expect(rows("table-categories")).toEqual([
      ["hardware", "9"],
      ["network", "4"],
    ]);
    expect(rows("table-active")).toEqual([["network", "2"]]);
    const volume = calls.find((c) => c.path === "/api/analytics/ticket_volume");
    expect(Object.fromEntries(volume?.query ?? [])).toEqual({
      interval: "month",
      from: "2026-01-01",
      to: "2026-03-01",
      category: "network",
    });
    expect(screen.getByLabelText("Category")).toHaveValue("network");
  });

  it("shows loading, then an error or an empty state per chart", async () => {
    mockApi((call) => {
      if (call.path === "/api/analytics/ticket_volume") return problem(503, "analytics database is down");
      if (call.path.startsWith("/api/analytics/")) return json(call.path.endsWith("active_by_category") ? [] : {});
      return json([]);
    });
    renderApp("/dashboard", makeUser("admin", { id: 1 }));
    expect(await screen.findByText("analytics database is down", {}, { timeout: 4000 })).toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByText("No tickets in this range.")).toHaveLength(3));
  });

  it("is not offered to requesters", async () => {
    mockApi(() => undefined);
    renderApp("/dashboard", makeUser("requester"));
    expect(await screen.findByRole("heading", { name: "Not available" })).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "Dashboard" })).toBeNull();
  });
});
