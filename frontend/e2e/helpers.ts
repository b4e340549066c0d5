import { expect, request, type APIRequestContext, type Page } from "@playwright/test";
import { PASSWORD, readState, USERS, type UserKey } from "./state";

export { USERS };

/** Sign in through the sign-in page, as a person would. */
export async function signIn(page: Page, who: UserKey): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(USERS[who].email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

/** An API client with `who`'s bearer token, for setting the scene quickly. */
export async function apiAs(who: UserKey): Promise<APIRequestContext> {
  const state = readState();
  const token = state.tokens[who];
  if (!token) throw new Error(`no token for ${who}`);
  return request.newContext({
    baseURL: state.baseURL,
    extraHTTPHeaders: { Authorization: `Bearer ${token}` },
  });
}

export interface CreatedTicket {
  id: number;
  version: number;
  title: string;
}

export async function createTicket(
  who: UserKey,
  body: { title: string; description: string; category?: string; priority?: string },
): Promise<CreatedTicket> {
  const api = await apiAs(who);
  const response = await api.post("/api/tickets", { data: body });
  expect(response.status(), await response.text()).toBe(201);
  const ticket = (await response.json()) as CreatedTicket;
  await api.dispose();
  return ticket;
}

/** A title no other test (or rerun) uses. */
export function unique(prefix: string): string {
  return `${prefix} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}
