import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Comment, Ticket } from "../api/types";
import { json, makeTicket, makeUser, mockApi, problem, renderApp, type Call } from "../test/utils";

const comments: Comment[] = [
  {
    id: 1,
    ticket_id: 42,
    author: { id: 7, name: "Rita Requester", email: "r@example.com" },
    content: "Still broken",
    internal: false,
    created_at: "2026-03-01T11:00:00Z",
  },
  {
    id: 2,
    ticket_id: 42,
    author: { id: 2, name: "Alex Agent", email: "a@example.com" },
    content: "Check the DHCP lease",
    internal: true,
    created_at: "2026-03-01T12:00:00Z",
  },
];

function api(ticket: Ticket, extra?: (call: Call) => Response | undefined) {
  return (call: Call) => {
    const answer = extra?.(call);
    if (answer) return answer;
    if (call.path === "/api/tickets/42" && call.method === "GET") return json(ticket, { headers: { ETag: `"${ticket.version}"` } });
    if (call.path === "/api/tickets/42/comments" && call.method === "GET") return json(comments, { headers: { "X-Total-Count": "2" } });
    if (call.path === "/api/tickets/42/history") return json([], { headers: { "X-Total-Count": "0" } });
    if (call.path === "/api/agents") return json([{ id: 2, name: "Alex Agent", email: "a@example.com" }, { id: 3, name: "Bea Agent", email: "b@example.com" }]);
    if (call.path === "/api/categories") return json(["network"]);
    return undefined;
  };
}

describe("ticket detail", () => {
  it("offers only the workflow's legal next states", async () => {
    mockApi(api(makeTicket({ status: "waiting", next_statuses: ["in_progress", "resolved", "closed"] })));
    renderApp("/tickets/42", makeUser("agent"));
    const select = await screen.findByLabelText("Move to status");
    const options = within(select).getAllByRole("option").map((o) => o.textContent);
    expect(options).toEqual(["Choose the next status…", "In progress", "Resolved", "Closed"]);
  });

  it("tells internal notes apart from public replies", async () => {
    mockApi(api(makeTicket()));
    renderApp("/tickets/42", makeUser("agent"));
    const note = await screen.findByRole("article", { name: "Internal note by Alex Agent" });
    expect(note).toHaveTextContent("Internal note · agents only");
    expect(screen.getByRole("article", { name: "Reply by Rita Requester" })).toHaveTextContent("Public reply");
  });

  it("changes status with If-Match and the CSRF token", async () => {
    const ticket = makeTicket();
    const calls = mockApi(
      api(ticket, (call) =>
        call.method === "PATCH" ? json({ ...ticket, status: "in_progress", version: 4, next_statuses: ["waiting"] }) : undefined,
      ),
    );
    renderApp("/tickets/42", makeUser("agent"));
    const user = userEvent.setup();
    await user.selectOptions(await screen.findByLabelText("Move to status"), "in_progress");
    await user.click(screen.getByRole("button", { name: "Change status" }));
    expect(await screen.findByText("Status changed to In progress.")).toBeInTheDocument();
    const patch = calls.find((c) => c.method === "PATCH");
    expect(patch?.body).toEqual({ status: "in_progress" });
    expect(patch?.headers.get("If-Match")).toBe('"3"');
    expect(patch?.headers.get("X-CSRF-Token")).toBe("csrf-123");
  });

  it("shows a stale edit as a conflict with the newer version instead of overwriting it", async () => {
    let current = makeTicket();
    const calls = mockApi(
      api(current, (call) => {
        if (call.method === "PATCH" && call.headers.get("If-Match") === '"3"') return problem(412, "the ticket changed");
        if (call.method === "PATCH") return json({ ...current, priority: "low", version: 6 });
        if (call.method === "GET" && call.path === "/api/tickets/42") return json(current);
        return undefined;
      }),
    );
    renderApp("/tickets/42", makeUser("agent"));
    await screen.findByTestId("ticket-title");
    // Someone else saves version 5 with priority urgent.
    current = makeTicket({ priority: "urgent", version: 5 });
    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText("Priority"), "low");
    await user.click(screen.getByRole("button", { name: "Save changes" }));

    const alert = await screen.findByRole("alert", { name: /Conflict/ });
    const row = within(alert).getByRole("row", { name: /Priority/ });
    expect(row).toHaveTextContent("Low");
    expect(row).toHaveTextContent("Urgent");
    // The page shows the newer version now, and nothing was sent twice.
    expect(screen.getByLabelText("Priority")).toHaveValue("urgent");
    expect(calls.filter((c) => c.method === "PATCH")).toHaveLength(1);

    await user.click(within(alert).getByRole("button", { name: "Apply my change to the newer version" }));
    await waitFor(() => expect(calls.filter((c) => c.method === "PATCH")).toHaveLength(2));
    const retry = calls.filter((c) => c.method === "PATCH")[1];
    expect(retry?.headers.get("If-Match")).toBe('"5"');
    expect(retry?.body).toEqual({ priority: "low" });
    expect(await screen.findByText("Your change was applied to the newer version.")).toBeInTheDocument();
  });

  it("sends an internal note when the box is ticked", async () => {
    const calls = mockApi(
      api(makeTicket(), (call) =>
        call.method === "POST" ? json({ ...comments[1], id: 3, content: "note" }, { status: 201 }) : undefined,
      ),
    );
    renderApp("/tickets/42", makeUser("agent"));
    const user = userEvent.setup();
    await user.click(await screen.findByLabelText("Internal note (only agents see it)"));
    await user.type(screen.getByLabelText("Internal note"), "note");
    await user.click(screen.getByRole("button", { name: "Add internal note" }));
    await waitFor(() => expect(calls.find((c) => c.method === "POST")?.body).toEqual({ content: "note", internal: true }));
  });

  it("gives requesters the conversation but no controls", async () => {
    mockApi(api(makeTicket({ next_statuses: [] })));
    renderApp("/tickets/42", makeUser("requester"));
    await screen.findByTestId("ticket-title");
    expect(screen.queryByLabelText("Move to status")).toBeNull();
    expect(screen.queryByLabelText("Internal note (only agents see it)")).toBeNull();
    expect(screen.getByLabelText("Your reply")).toBeInTheDocument();
  });

  it("says 'not found' for a ticket the API hides", async () => {
    mockApi((call) => (call.path === "/api/tickets/42" ? problem(404, "ticket 42 not found") : undefined));
    renderApp("/tickets/42", makeUser("requester"));
    expect(await screen.findByRole("heading", { name: "Ticket not found" })).toBeInTheDocument();
  });
});
