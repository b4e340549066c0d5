import { expect, type Page, test } from "@playwright/test";
import { apiAs, createTicket, signIn, unique, USERS } from "./helpers";

test("an agent signs in, opens a ticket, finds it, replies, notes and moves it on", async ({ page }) => {
  await signIn(page, "agent");
  await expect(page.getByRole("heading", { name: "Tickets" })).toBeVisible();

  // Create a ticket with the form.
  const title = unique("Printer on floor 3 jams");
  await page.getByRole("link", { name: "New ticket" }).first().click();
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Description").fill("Every second page jams.\nTried a new toner.");
  await page.getByLabel("Category").fill("hardware");
  await page.getByLabel("Priority").selectOption("high");
  await page.getByRole("button", { name: "Create ticket" }).click();
  await expect(page.getByTestId("ticket-title")).toHaveText(title);
  const id = Number(/\/tickets\/(\d+)$/.exec(page.url())?.[1]);
  expect(id).toBeGreaterThan(0);

  // Find it by search from the list; the URL holds the query.
  await page.getByRole("link", { name: "Tickets", exact: true }).click();
  await page.getByLabel("Search tickets").fill(title);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/[?&]q=/);
  const rows = page.locator("table.tickets tbody tr");
  await expect(rows).toHaveCount(1);
  await expect(page.getByText("Showing 1–1 of 1")).toBeVisible();
  await rows.getByRole("link", { name: title }).click();
  await expect(page).toHaveURL(new RegExp(`/tickets/${id}$`));

  // A public reply, then an internal note: told apart on the page.
  await page.getByLabel("Your reply").fill("Thanks, we are on it.");
  await page.getByRole("button", { name: "Send reply" }).click();
  const reply = page.locator("li.comment-public", { hasText: "Thanks, we are on it." });
  await expect(reply).toBeVisible();
  await expect(reply).toContainText("Public reply");

  await page.getByLabel("Internal note (only agents see it)").check();
  await page.getByLabel("Internal note", { exact: true }).fill("Fuser unit probably worn.");
  await page.getByRole("button", { name: "Add internal note" }).click();
  const note = page.locator("li.comment-internal", { hasText: "Fuser unit probably worn." });
  await expect(note).toBeVisible();
  await expect(note).toContainText("Internal note · agents only");

  // Only the workflow's legal next states are offered.
  const status = page.getByLabel("Move to status");
  await expect(status.locator("option")).toHaveText(["Choose the next status…", "In progress", "Closed"]);
  await status.selectOption("in_progress");
  await page.getByRole("button", { name: "Change status" }).click();
  await expect(page.getByText("Status changed to In progress.")).toBeVisible();
  await expect(page.locator(".ticket-head .badge").first()).toHaveText("In progress");
  await expect(status.locator("option")).toHaveText([
    "Choose the next status…",
    "Waiting",
    "Resolved",
    "Closed",
  ]);
  await expect(page.locator("ol.history")).toContainText("changed status from Open to In progress");

  // The server agrees.
  const api = await apiAs("agent");
  const saved = (await (await api.get(`/api/tickets/${id}`)).json()) as Record<string, unknown>;
  expect(saved).toMatchObject({ status: "in_progress", priority: "high", category: "hardware" });
  await api.dispose();
});

/** Every cell of the list's `column` reads `text`, once the list has settled. Retrying
 * assertions on the whole column: cells taken at once (`locator.all()`) could be the rows of
 * the page before, replaced while they were checked one by one. */
async function expectEveryCell(page: Page, column: string, text: string): Promise<void> {
  const cells = page.locator(`table.tickets tbody td[data-label=${column}]`);
  await expect(page.locator("table.tickets")).toHaveAttribute("aria-busy", "false");
  await expect(cells.filter({ hasNotText: text })).toHaveCount(0);
  await expect(cells.first()).toHaveText(text);
}

test("the back button walks back through the list filters", async ({ page }) => {
  await signIn(page, "agent");
  await page.getByLabel("Status").selectOption("open");
  await expect(page).toHaveURL(/status=open/);
  await page.getByLabel("Assignee").selectOption("none");
  await expect(page).toHaveURL(/assignee=none/);
  await expectEveryCell(page, "Assignee", "Unassigned");
  await page.goBack();
  await expect(page).not.toHaveURL(/assignee=/);
  await expect(page.getByLabel("Assignee")).toHaveValue("");
  await expect(page.getByLabel("Status")).toHaveValue("open");
  // A shared link opens with the same filters.
  await page.goto("/tickets?priority=urgent&sort=-updated_at");
  await expect(page.getByLabel("Priority")).toHaveValue("urgent");
  await expect(page.getByLabel("Sort by")).toHaveValue("-updated_at");
  await expectEveryCell(page, "Priority", "Urgent");
});

test("the new-ticket form shows the API's validation messages at the fields", async ({ page }) => {
  await signIn(page, "requester");
  await page.goto("/tickets/new");
  await page.getByLabel("Title").fill("   ");
  await page.getByRole("button", { name: "Create ticket" }).click();
  await expect(page.getByLabel("Title")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Description")).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator(".field-invalid .field-error")).toHaveCount(2);
  await expect(page).toHaveURL(/\/tickets\/new$/);
});

test("a conflicting edit is shown as a conflict, not overwritten", async ({ page }) => {
  const ticket = await createTicket("requester", {
    title: unique("Laptop fan is loud"),
    description: "It sounds like a jet.",
  });
  await signIn(page, "agent");
  await page.goto(`/tickets/${ticket.id}`);
  await expect(page.getByTestId("ticket-title")).toHaveText(ticket.title);

  // Meanwhile another agent raises the priority.
  const other = await apiAs("agent2");
  const changed = await other.patch(`/api/tickets/${ticket.id}`, {
    data: { priority: "urgent" },
    headers: { "If-Match": `"${ticket.version}"` },
  });
  expect(changed.status()).toBe(200);

  // Our edit was made against the old version: the server refuses it, the page shows both.
  await page.getByLabel("Priority").selectOption("low");
  await page.getByRole("button", { name: "Save changes" }).click();
  const conflict = page.getByRole("alert").filter({ hasText: "Conflict" });
  await expect(conflict).toBeVisible();
  await expect(conflict.getByRole("row", { name: /Priority/ })).toContainText("Low");
  await expect(conflict.getByRole("row", { name: /Priority/ })).toContainText("Urgent");
  await expect(page.locator(".ticket-head")).toContainText("Urgent");
  const now = (await (await other.get(`/api/tickets/${ticket.id}`)).json()) as { priority: string };
  expect(now.priority).toBe("urgent");

  // Choosing to apply ours to the newer version is an explicit step.
  await conflict.getByRole("button", { name: "Apply my change to the newer version" }).click();
  await expect(page.getByText("Your change was applied to the newer version.")).toBeVisible();
  const after = (await (await other.get(`/api/tickets/${ticket.id}`)).json()) as { priority: string };
  expect(after.priority).toBe("low");
  await other.dispose();
});

test("markup in a ticket title is shown as text and never run", async ({ page }) => {
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const title = "<img src=x onerror=alert(1)>";
  await signIn(page, "requester");
  await page.goto("/tickets/new");
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Description").fill("<script>alert(2)</script> and <b>bold</b>");
  await page.getByRole("button", { name: "Create ticket" }).click();
  await expect(page.getByTestId("ticket-title")).toHaveText(title);
  await expect(page.locator(".description")).toHaveText("<script>alert(2)</script> and <b>bold</b>");
  await page.goto("/tickets?q=onerror");
  await expect(page.getByRole("link", { name: title }).first()).toBeVisible();
  expect(await page.locator("main img").count()).toBe(0);
  expect(await page.locator("main b, main script").count()).toBe(0);
  expect(dialogs).toEqual([]);
});

test("a requester cannot reach another requester's ticket", async ({ page }) => {
  const theirs = await createTicket("requester2", {
    title: unique("Sam's private payroll question"),
    description: "Only Sam and the agents may read this.",
  });
  const mine = await createTicket("requester", {
    title: unique("Rita's keyboard"),
    description: "Keys stick.",
  });
  // An agent answers Rita publicly and leaves a note she must not see.
  const agent = await apiAs("agent");
  for (const [content, internal] of [
    ["Try cleaning it", false],
    ["Secret: replace the whole unit", true],
  ] as const) {
    const response = await agent.post(`/api/tickets/${mine.id}/comments`, { data: { content, internal } });
    expect(response.status()).toBe(201);
  }
  await agent.dispose();

  await signIn(page, "requester");
  await expect(page.getByRole("heading", { name: "My tickets" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Dashboard" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Users" })).toHaveCount(0);

  await page.goto(`/tickets/${theirs.id}`);
  await expect(page.getByRole("heading", { name: "Ticket not found" })).toBeVisible();
  await expect(page.getByText(theirs.title)).toHaveCount(0);

  await page.goto(`/tickets?q=${encodeURIComponent("payroll question")}`);
  await expect(page.getByText("No tickets match these filters.")).toBeVisible();

  await page.goto(`/tickets/${mine.id}`);
  await expect(page.getByText("Try cleaning it")).toBeVisible();
  await expect(page.getByText("Secret: replace the whole unit")).toHaveCount(0);
  await expect(page.getByLabel("Move to status")).toHaveCount(0);

  await page.goto("/dashboard");
  await expect(page.getByRole("heading", { name: "Not available" })).toBeVisible();
  expect(USERS.requester.role).toBe("requester");
});
