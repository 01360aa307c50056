import { defineConfig, devices } from "@playwright/test";

// The server under test: the release build, on a free port chosen by `make e2e`, with a fresh
// embedded store in a temporary directory, and an account whose first Administrator the
// `setup` project signs in (helpers.ts holds the names).
const port = Number(process.env.E2E_PORT ?? 3917);
const baseURL = `http://127.0.0.1:${port}`;
const ADMIN_STATE = ".auth/admin.json";
const fakePort = Number(process.env.E2E_FAKE_PORT ?? 3918);
const fakeURL = `http://127.0.0.1:${fakePort}`;

const chromium = {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
  ],
};

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  reporter: [["list"]],
  use: { baseURL, launchOptions: chromium, trace: "retain-on-failure" },
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts/, use: { ...devices["Desktop Chrome"], launchOptions: chromium } },
    {
      name: "desktop",
      dependencies: ["setup"],
      use: { ...devices["Desktop Chrome"], launchOptions: chromium, storageState: ADMIN_STATE },
    },
    {
      name: "mobile",
      dependencies: ["setup"],
      use: { ...devices["Pixel 7"], launchOptions: chromium, storageState: ADMIN_STATE },
    },
    {
      name: "nojs",
      dependencies: ["setup"],
      use: { ...devices["Desktop Chrome"], javaScriptEnabled: false, launchOptions: chromium, storageState: ADMIN_STATE },
    },
  ],
  webServer: [
    {
      // The fake Microsoft identity platform and Graph of the Rust tests (the sample partner).
      command: `target/debug/fake-microsoft 127.0.0.1:${fakePort}`,
      cwd: "..",
      url: `${fakeURL}/v1.0/organization`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      // The Administrator of the shared account, and one CSP account per project (the
      // integration tests connect, sync and map there without touching each other).
      command: [
        `target/release/server admin create --account "E2E MSP" --email admin@e2e.example`,
        ...["desktop", "mobile", "nojs"].map(
          (p) => `target/release/server admin create --account "E2E CSP ${p}" --email csp-${p}@e2e.example`,
        ),
        `target/release/server serve`,
      ].join(" && "),
      cwd: "..",
      url: `${baseURL}/`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: {
        LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
        TENANTMAP_DATA: process.env.TENANTMAP_DATA ?? "",
        RUST_LOG: "warn",
        TENANTMAP_ADMIN_PASSWORD: "e2e admin password",
        TENANTMAP_IDENTITY_URL: fakeURL,
        TENANTMAP_GRAPH_URL: fakeURL,
        TENANTMAP_SYNC_MINUTES: "0",
      },
    },
  ],
});
