import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { json, makeTicket, makeUser, mockApi, problem, renderApp } from "../test/utils";

describe("new ticket form", () => {
  it("labels every field", async () => {
    mockApi((call) => (call.path === "/api/categories" ? json([]) : undefined));
    renderApp("/tickets/new", makeUser("requester"));
    for (const label of ["Title", "Description", "Category", "Priority"]) {
      expect(await screen.findByLabelText(label)).toBeInTheDocument();
    }
  });

  it("shows the API's validation messages at the fields", async () => {
    mockApi((call) => {
      if (call.method === "POST" && call.path === "/api/tickets") {
        return problem(422, "the request is not valid", [
          { field: "title", message: "String should have at least 1 character", type: "string_too_short" },
          { field: "description", message: "String should have at least 1 character", type: "string_too_short" },
        ]);
      }
      if (call.path === "/api/categories") return json([]);
      return undefined;
    });
    renderApp("/tickets/new", makeUser("requester"));
    await userEvent.setup().click(await screen.findByRole("button", { name: "Create ticket" }));
    const title = screen.getByLabelText("Title");
    expect(await screen.findAllByText("String should have at least 1 character")).toHaveLength(2);
    expect(title).toHaveAttribute("aria-invalid", "true");
    expect(title).toHaveAccessibleDescription(/String should have at least 1 character/);
    expect(screen.getByLabelText("Category")).not.toHaveAttribute("aria-invalid");
  });

  it("opens the new ticket once created", async () => {
    const calls = mockApi((call) => {
      if (call.method === "POST") return json(makeTicket({ id: 77, title: "Broken chair" }), { status: 201 });
      if (call.path === "/api/tickets/77/comments" || call.path === "/api/tickets/77/history") {
        return json([], { headers: { "X-Total-Count": "0" } });
      }
      if (call.path === "/api/categories") return json([]);
      return undefined;
    });
    renderApp("/tickets/new", makeUser("requester"));
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Title"), "Broken chair");
    await user.type(screen.getByLabelText("Description"), "It wobbles");
    await user.selectOptions(screen.getByLabelText("Priority"), "low");
    await user.click(screen.getByRole("button", { name: "Create ticket" }));
    expect(await screen.findByTestId("ticket-title")).toHaveTextContent("Broken chair");
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({
      title: "Broken chair",
      description: "It wobbles",
      priority: "low",
    });
  });
});
