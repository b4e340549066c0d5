// The README's screenshots. Every e2e run takes them (into test-results/); `make screenshots`
// (DOCS_SCREENSHOTS=1) writes them to docs/ to be committed.
import { expect, test, type Page } from "@playwright/test";
import path from "node:path";
import { apiAs, createTicket, signIn } from "./helpers";

const OUT = process.env.DOCS_SCREENSHOTS
  ? path.resolve(import.meta.dirname, "../../docs")
  : path.resolve(import.meta.dirname, "../test-results/screenshots");

async function shoot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage });
}

test.use({ viewport: { width: 1280, height: 860 } });

test("screenshots of the list, a ticket and the dashboard", async ({ page }) => {
  const ticket = await createTicket("requester", {
    title: "VPN drops every hour on the office Wi-Fi",
    description:
      "Since Monday the VPN disconnects roughly every 60 minutes while I am on the office Wi-Fi.\n" +
      "At home it stays up all day. I am on the latest client version.",
    category: "network",
    priority: "high",
  });
  const agent = await apiAs("agent");
  const me = (await (await agent.get("/api/session")).json()) as { user: { id: number } };
  let version = ticket.version;
  for (const data of [{ status: "in_progress", assignee_id: me.user.id }]) {
    const response = await agent.patch(`/api/tickets/${ticket.id}`, { data, headers: { "If-Match": `"${version}"` } });
    expect(response.status()).toBe(200);
    version = ((await response.json()) as { version: number }).version;
  }
  for (const [content, internal] of [
    ["Thanks for the report. Does it also happen on the wired network?", false],
    ["Probably the DHCP lease time on the guest VLAN: it is set to 60 minutes.", true],
  ] as const) {
    await agent.post(`/api/tickets/${ticket.id}/comments`, { data: { content, internal } });
  }
  const analytics = (await agent.get("/api/analytics/active_by_category")).status();
  await agent.dispose();

  await signIn(page, "agent");
  await page.goto("/tickets?status=open,in_progress,waiting&sort=-priority");
  await expect(page.locator("table.tickets tbody tr").first()).toBeVisible();
  await shoot(page, "screenshot-list");

  await page.goto(`/tickets/${ticket.id}`);
  await expect(page.locator("li.comment-internal")).toBeVisible();
  await expect(page.locator("ol.history li").first()).toBeVisible();
  await shoot(page, "screenshot-ticket");

  test.skip(analytics === 404, "the analytics endpoints are not on this branch yet: no dashboard shot");
  await page.goto("/dashboard?interval=week");
  await expect(page.locator("[data-testid^=chart-] .recharts-wrapper > svg.recharts-surface")).toHaveCount(4, {
    timeout: 15_000,
  });
  await shoot(page, "screenshot-dashboard", true);
});
