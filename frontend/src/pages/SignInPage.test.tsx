import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { json, makeUser, mockApi, problem, renderApp } from "../test/utils";
import { safeNext } from "./SignInPage";

async function fillAndSubmit(password = "secret-password") {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText("Email"), "agent@example.com");
  await user.type(screen.getByLabelText("Password"), password);
  await user.click(screen.getByRole("button", { name: "Sign in" }));
}

describe("sign-in page", () => {
  it("says the same thing for a wrong password as for an unknown email", async () => {
    mockApi((call) => (call.path === "/api/session" ? problem(401, "wrong email or password") : undefined));
    renderApp("/signin", null);
    await fillAndSubmit();
    expect(await screen.findByRole("alert")).toHaveTextContent("Wrong email or password.");
  });

  it("tells how long to wait when sign-in is throttled", async () => {
    mockApi((call) =>
      call.path === "/api/session"
        ? json({ title: "Too Many Requests", status: 429, detail: "slow down" }, { status: 429, headers: { "Retry-After": "30" } })
        : undefined,
    );
    renderApp("/signin", null);
    await fillAndSubmit();
    expect(await screen.findByRole("alert")).toHaveTextContent("Try again in 30 seconds.");
  });

  it("signs in, keeps the CSRF token for writes and goes where it was asked", async () => {
    const agent = makeUser("agent");
    const calls = mockApi((call) => {
      if (call.method === "POST" && call.path === "/api/session") return json({ user: agent, csrf_token: "fresh-token" });
      if (call.path === "/api/tickets/new") return undefined;
      if (call.path === "/api/categories") return json(["network"]);
      return undefined;
    });
    renderApp("/signin?next=%2Ftickets%2Fnew", null);
    await fillAndSubmit();
    expect(await screen.findByRole("heading", { name: "New ticket" })).toBeInTheDocument();
    const post = calls.find((c) => c.method === "POST" && c.path === "/api/session");
    expect(post?.body).toEqual({ email: "agent@example.com", password: "secret-password" });

    // The next state-changing request carries the token the sign-in returned.
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Title"), "x");
    await user.type(screen.getByLabelText("Description"), "y");
    await user.click(screen.getByRole("button", { name: "Create ticket" }));
    await waitFor(() => expect(calls.some((c) => c.method === "POST" && c.path === "/api/tickets")).toBe(true));
    const create = calls.find((c) => c.method === "POST" && c.path === "/api/tickets");
    expect(create?.headers.get("X-CSRF-Token")).toBe("fresh-token");
  });

  it("only follows ?next= within the app", () => {
    expect(safeNext("/tickets/3")).toBe("/tickets/3");
    expect(safeNext("//evil.example.com")).toBe("/tickets");
    expect(safeNext("https://evil.example.com")).toBe("/tickets");
    expect(safeNext("/\\evil.example.com")).toBe("/tickets");
    expect(safeNext(null)).toBe("/tickets");
  });

  it("sends a signed-out visitor to the sign-in page", async () => {
    mockApi(() => undefined);
    renderApp("/tickets/5", null);
    expect(await screen.findByRole("heading", { name: "Sign in to ticketdesk" })).toBeInTheDocument();
  });
});
