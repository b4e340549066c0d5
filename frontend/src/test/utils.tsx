import { QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { vi } from "vitest";
import { App } from "../App";
import { setCsrfToken } from "../api/client";
import { keys } from "../api/queries";
import type { Role, Ticket, User } from "../api/types";
import { createQueryClient } from "../queryClient";

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
}

type Reply = Response | Promise<Response>;
export type Handler = (call: Call) => Reply | undefined;

export function json(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  const status = init.status ?? 200;
  const problem = status >= 400;
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: {
      "Content-Type": problem ? "application/problem+json" : "application/json",
      ...init.headers,
    },
  });
}

export function problem(status: number, detail: string, errors?: { field: string; message: string; type: string }[]) {
  return json({ type: "about:blank", title: "error", status, detail, errors }, { status });
}

/** Stub `fetch`: the handler answers each call; anything unanswered is a 404 problem. */
export function mockApi(handler: Handler): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const text = await request.text();
    const call: Call = {
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      body: text ? (JSON.parse(text) as unknown) : undefined,
    };
    calls.push(call);
    return (await handler(call)) ?? problem(404, `no mock for ${call.method} ${call.path}`);
  });
  return calls;
}

export function makeUser(role: Role, overrides: Partial<User> = {}): User {
  return {
    id: role === "requester" ? 7 : 2,
    name: role === "requester" ? "Rita Requester" : "Alex Agent",
    email: `${role}@example.com`,
    role,
    is_active: true,
    created_at: "2026-01-01T00:00:00Z",
    ...overrides,
  };
}

export function makeTicket(overrides: Partial<Ticket> = {}): Ticket {
  return {
    id: 42,
    ticket_id: 42,
    title: "VPN drops every hour",
    description: "Since Monday.",
    status: "open",
    category: "network",
    priority: "normal",
    requester_id: 7,
    requester: { id: 7, name: "Rita Requester", email: "requester@example.com" },
    assignee_id: null,
    assignee: null,
    opened_at: "2026-03-01T10:00:00Z",
    updated_at: "2026-03-01T10:00:00Z",
    resolved_at: null,
    closed_at: null,
    version: 3,
    next_statuses: ["in_progress", "closed"],
    ...overrides,
  };
}

/** Render the whole app at `path`, signed in as `user` (or signed out). */
export function renderApp(path: string, user: User | null) {
  const client = createQueryClient();
  client.setDefaultOptions({ queries: { retry: false, staleTime: Infinity } });
  client.setQueryData(keys.session, user ? { user, csrf_token: "csrf-123" } : null);
  setCsrfToken(user ? "csrf-123" : null);
  const result = render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[path]}>
        <App />
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return { ...result, client };
}
