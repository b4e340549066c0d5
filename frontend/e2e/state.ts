import { readFileSync } from "node:fs";
import path from "node:path";

export const STATE_FILE = path.join(import.meta.dirname, ".state", "state.json");
export const PASSWORD = "e2e-password-123";

export const USERS = {
  admin: { email: "e2e-admin@example.com", name: "Ada Admin", role: "admin" },
  agent: { email: "e2e-agent@example.com", name: "Alex Agent", role: "agent" },
  agent2: { email: "e2e-agent2@example.com", name: "Bea Agent", role: "agent" },
  requester: { email: "e2e-req@example.com", name: "Rita Requester", role: "requester" },
  requester2: { email: "e2e-req2@example.com", name: "Sam Requester", role: "requester" },
} as const;
export type UserKey = keyof typeof USERS;

export interface E2EState {
  baseURL: string;
  tokens: Record<string, string>;
  instance: string;
}

export function readState(): E2EState {
  return JSON.parse(readFileSync(STATE_FILE, "utf8")) as E2EState;
}
