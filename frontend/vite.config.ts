/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The Flask app serves the build from its static folder (see src/ticketdesk/web/spa.py).
// `npm run dev` proxies /api to a back end started with `ticketdesk serve --port 8000`.
export default defineConfig({
  plugins: [react()],
  base: "/",
  build: {
    outDir: "../src/ticketdesk/static/app",
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: { "/api": process.env.TICKETDESK_API ?? "http://127.0.0.1:8000" },
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    restoreMocks: true,
  },
});
