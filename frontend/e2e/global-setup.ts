// Starts the real back end for the end-to-end run: a fresh SQLite instance folder, demo data
// plus known users created through the CLI, and `ticketdesk serve` (gunicorn) on a free port.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { PASSWORD, STATE_FILE, USERS, type E2EState } from "./state";

const ROOT = path.resolve(import.meta.dirname, "../..");
const TICKETDESK = path.join(ROOT, ".venv", "bin", "ticketdesk");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("no port"));
      });
    });
  });
}

async function waitForHealth(url: string, server: { exitCode: number | null }): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the back end exited with ${server.exitCode}`);
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the back end did not answer at ${url} within 60 s`);
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const instance = mkdtempSync(path.join(tmpdir(), "ticketdesk-e2e-"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TICKETDESK_INSTANCE: instance,
    DATABASE_URL: `sqlite:///${instance}/e2e.sqlite3`,
    ANALYTICS_DATABASE_URL: "",
    TICKETDESK_ENV: "development",
  };
  delete env.ANALYTICS_DATABASE_URL;
  const cli = (args: string[], input?: string): string =>
    execFileSync(TICKETDESK, args, { env, input, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });

  cli(["db", "upgrade"]);
  cli(["demo-data", "--tickets", "150"]);
  const tokens: Record<string, string> = {};
  for (const [key, user] of Object.entries(USERS)) {
    cli(["users", "create", user.email, "--role", user.role, "--name", user.name, "--password-stdin"], `${PASSWORD}\n`);
    tokens[key] = cli(["tokens", "create", user.email, "--label", "e2e"]).trim();
  }

  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;
  const log = openSync(path.join(instance, "server.log"), "a");
  const server = spawn(
    TICKETDESK,
    ["serve", "--host", "127.0.0.1", "--port", String(port), "--workers", "2", "--threads", "4"],
    { env, stdio: ["ignore", log, log] },
  );
  try {
    await waitForHealth(baseURL, server);
  } catch (error) {
    server.kill("SIGKILL");
    throw new Error(`${String(error)}; see ${path.join(instance, "server.log")}`);
  }

  const state: E2EState = { baseURL, tokens, instance };
  mkdirSync(path.dirname(STATE_FILE), { recursive: true });
  writeFileSync(STATE_FILE, JSON.stringify(state));
  process.env.E2E_BASE_URL = baseURL;

  return async () => {
    server.kill("SIGTERM");
    await new Promise<void>((resolve) => {
      if (server.exitCode !== null) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        server.kill("SIGKILL");
        resolve();
      }, 10_000);
      server.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (!process.env.E2E_KEEP_INSTANCE) rmSync(instance, { recursive: true, force: true });
    rmSync(STATE_FILE, { force: true });
  };
}
