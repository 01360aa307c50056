import { defineConfig, devices } from "@playwright/test";

// The server under test: the release build, on free ports chosen by `make e2e` — one on a
// fresh embedded store in a temporary directory, one on the DynamoDB store against a moto server
// of its own (scripts/run-dynamodb.sh). Every scenario runs on both: the `dynamodb-…` projects
// are the same tests against the second server. Each server has an account whose first
// Administrator its `setup` project signs in (helpers.ts holds the names).
const port = Number(process.env.E2E_PORT ?? 3917);
const dynamoPort = Number(process.env.E2E_DYNAMODB_PORT ?? 3919);
const motoPort = Number(process.env.E2E_MOTO_PORT ?? 3920);
const fakePort = Number(process.env.E2E_FAKE_PORT ?? 3918);
const fakeURL = `http://127.0.0.1:${fakePort}`;
// The server binary under test: `make e2e` passes the debug build the server's tests made.
const server = process.env.E2E_SERVER ?? "target/release/server";
const stores = [
  { store: "embedded", prefix: "", baseURL: `http://127.0.0.1:${port}` },
  { store: "dynamodb", prefix: "dynamodb-", baseURL: `http://127.0.0.1:${dynamoPort}` },
];
const kinds = {
  desktop: { ...devices["Desktop Chrome"] },
  mobile: { ...devices["Pixel 7"] },
  nojs: { ...devices["Desktop Chrome"], javaScriptEnabled: false },
};

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

/** The accounts a server starts with: the shared one, and per project one CSP account (the
 * integration tests connect, sync and map there without touching each other) and one for
 * Entra ID User Sync. */
function accounts(prefix: string): string[] {
  return [
    `${server} admin create --account "E2E MSP" --email admin@e2e.example`,
    ...Object.keys(kinds).map(
      (k) => `${server} admin create --account "E2E CSP ${prefix}${k}" --email csp-${prefix}${k}@e2e.example`,
    ),
    // Entra ID User Sync (user_sync.spec.ts): connected as Single Tenant, one per project.
    ...Object.keys(kinds).map(
      (k) => `${server} admin create --account "E2E Users ${prefix}${k}" --email users-${prefix}${k}@e2e.example`,
    ),
  ];
}

const serverEnv = {
  RUST_LOG: process.env.E2E_RUST_LOG ?? "warn",
  TENANTMAP_ADMIN_PASSWORD: "e2e admin password",
  TENANTMAP_IDENTITY_URL: fakeURL,
  TENANTMAP_GRAPH_URL: fakeURL,
  TENANTMAP_SYNC_MINUTES: "0",
};

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  reporter: [["list"]],
  // A trace records every step's page (a screenshot each): a sixth of the browser tests' time,
  // for a file CI prints nothing of. `E2E_TRACE=1` keeps one for each failed test.
  use: { launchOptions: chromium, trace: process.env.E2E_TRACE === "1" ? "retain-on-failure" : "off" },
  projects: stores.flatMap(({ store, prefix, baseURL }) => [
    {
      name: `${prefix}setup`,
      testMatch: /auth\.setup\.ts/,
      metadata: { store, kind: "setup" },
      use: { ...devices["Desktop Chrome"], launchOptions: chromium, baseURL },
    },
    ...Object.entries(kinds).map(([kind, device]) => ({
      name: `${prefix}${kind}`,
      dependencies: [`${prefix}setup`],
      metadata: { store, kind },
      use: { ...device, launchOptions: chromium, baseURL, storageState: `.auth/admin-${store}.json` },
    })),
  ]),
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
      command: [...accounts(""), `${server} serve`].join(" && "),
      cwd: "..",
      url: `${stores[0].baseURL}/`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: { ...serverEnv, LEPTOS_SITE_ADDR: `127.0.0.1:${port}`, TENANTMAP_DATA: process.env.TENANTMAP_DATA ?? "" },
    },
    {
      command: `bash scripts/run-dynamodb.sh '${[...accounts("dynamodb-"), `${server} serve`].join(" && ")}'`,
      cwd: "..",
      url: `${stores[1].baseURL}/`,
      reuseExistingServer: false,
      timeout: 90_000,
      env: { ...serverEnv, LEPTOS_SITE_ADDR: `127.0.0.1:${dynamoPort}`, MOTO_PORT: String(motoPort), TENANTMAP_TABLE: "tenantmap-e2e" },
    },
  ],
});
