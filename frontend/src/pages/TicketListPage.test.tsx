import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { json, makeTicket, makeUser, mockApi, renderApp, type Call } from "../test/utils";

function api(tickets = [makeTicket()], total = tickets.length, headers: Record<string, string> = {}) {
  return (call: Call) => {
    if (call.path === "/api/tickets") {
      return json(tickets, { headers: { "X-Total-Count": String(total), ...headers } });
    }
    if (call.path === "/api/categories") return json(["hardware", "network"]);
    if (call.path === "/api/agents") return json([{ id: 2, name: "Alex Agent", email: "a@example.com" }]);
    return undefined;
  };
}

describe("ticket list", () => {
  it("shows the tickets and the count, with titles as plain text", async () => {
    const evil = makeTicket({ id: 9, title: "<img src=x onerror=alert(1)>" });
    mockApi(api([makeTicket(), evil], 60));
    const { container } = renderApp("/tickets", makeUser("agent"));
    expect(await screen.findByRole("link", { name: "VPN drops every hour" })).toHaveAttribute("href", "/tickets/42");
    expect(screen.getByRole("link", { name: "<img src=x onerror=alert(1)>" })).toBeInTheDocument();
    expect(container.querySelector("img")).toBeNull();
    expect(screen.getByText(/Showing 1–25 of 60/)).toBeInTheDocument();
  });

  it("says 'more than' when the server stopped counting a search, and always offers the next page", async () => {
    const calls = mockApi(api([makeTicket()], 1000, { "X-Total-Count-Exact": "false" }));
    renderApp("/tickets?q=printer&page=40", makeUser("agent"));
    expect(await screen.findByText(/Showing 976–1,000 of more than 1,000/)).toBeInTheDocument();
    expect(screen.queryByText(/page 40 of/)).toBeNull();
    await userEvent.setup().click(screen.getByRole("button", { name: "Next" }));
    await waitFor(() => {
      expect(calls.filter((c) => c.path === "/api/tickets").at(-1)?.query.get("page")).toBe("41");
    });
  });

  it("sends the URL's filters to the API and puts new ones in the URL", async () => {
    const calls = mockApi(api());
    renderApp("/tickets?status=open,waiting&assignee=me&q=vpn", makeUser("agent"));
    await screen.findByRole("link", { name: "VPN drops every hour" });
    const first = calls.find((c) => c.path === "/api/tickets");
    expect(first?.query.getAll("status")).toEqual(["open", "waiting"]);
    expect(first?.query.get("assignee")).toBe("me");
    expect(first?.query.get("q")).toBe("vpn");
    expect(screen.getByLabelText("Search tickets")).toHaveValue("vpn");

    await userEvent.setup().selectOptions(screen.getByLabelText("Priority"), "urgent");
    await waitFor(() => {
      const last = calls.filter((c) => c.path === "/api/tickets").at(-1);
      expect(last?.query.get("priority")).toBe("urgent");
      expect(last?.query.get("page")).toBe("1");
    });
  });

  it("offers 'assigned to me' and 'unassigned' to agents, and no assignee filter to requesters", async () => {
    mockApi(api());
    renderApp("/tickets", makeUser("agent"));
    const assignee = await screen.findByLabelText("Assignee");
    expect(within(assignee).getByRole("option", { name: "Assigned to me" })).toBeInTheDocument();
    expect(within(assignee).getByRole("option", { name: "Unassigned" })).toBeInTheDocument();
  });

  it("has an empty state that offers to clear the filters", async () => {
    mockApi(api([], 0));
    renderApp("/tickets?priority=low", makeUser("requester"));
    expect(await screen.findByText("No tickets match these filters.")).toBeInTheDocument();
    expect(screen.queryByLabelText("Assignee")).toBeNull();
    expect(screen.getByRole("heading", { name: "My tickets" })).toBeInTheDocument();
  });

  it("shows an error state with a retry", async () => {
    let fail = true;
    mockApi((call) => {
      if (call.path === "/api/tickets" && fail) {
        return json({ title: "Service Unavailable", status: 503, detail: "the database is not answering" }, { status: 503 });
      }
      return api()(call);
    });
    renderApp("/tickets", makeUser("agent"));
    expect(await screen.findByText("the database is not answering", {}, { timeout: 4000 })).toBeInTheDocument();
    fail = false;
    await userEvent.setup().click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByRole("link", { name: "VPN drops every hour" })).toBeInTheDocument();
  });
});
