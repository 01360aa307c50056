import { expect, Page, test } from "@playwright/test";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kind, store } from "./helpers";

// An administrator's first day on a fresh install: first-run, then Home says what to do next
// at every step — connect Microsoft, sync, add the Organizations, map them with Suggestions,
// set up Entra ID User Sync — until nothing is left and Home shows the account's figures.

const FAKE = `http://127.0.0.1:${process.env.E2E_FAKE_PORT ?? 3918}`;
// The fake Microsoft's partner (server/src/fake_microsoft.rs) and its six customers.
const PARTNER = { tenant: "0a0a0a0a-0000-4000-8000-000000000001", client: "c1c1c1c1-0000-4000-8000-000000000002", secret: "fake~secret.Value-0123456789" };
const CUSTOMERS = ["Contoso Group", "Fabrikam", "Northwind Traders", "Tailspin Toys", "Woodgrove Bank", "Litware"];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === "object" ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

/** The Home checklist's steps as shown: "Done: …", "Next: …", "To do: …". */
async function checklist(page: Page, base: string): Promise<string[]> {
  await page.goto(`${base}/`);
  const steps = page.getByRole("region", { name: "Getting started" }).getByRole("listitem");
  return (await steps.allTextContents()).map((t) => t.replace(/\s+/g, " ").trim());
}

test.use({ storageState: { cookies: [], origins: [] } });

test("the first day: Home says what to do next until everything is done", async ({ page }, info) => {
  test.skip(kind(info) === "mobile", "one layout is enough for a path taken once; the pages it visits are checked on a phone elsewhere");
  test.skip(store(info) === "dynamodb", "starts its own embedded server (a fresh install)");
  test.setTimeout(120_000);
  const port = await freePort();
  const data = mkdtempSync(join(tmpdir(), "tenantmap-first-day-"));
  const server = spawn(process.env.E2E_SERVER ?? "target/release/server", ["serve"], {
    cwd: "..",
    env: {
      ...process.env,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      TENANTMAP_DATA: data,
      // The first-run page opened for this machine (else only the printed token opens it).
      TENANTMAP_LOCAL_SETUP: "1",
      TENANTMAP_IDENTITY_URL: FAKE,
      TENANTMAP_GRAPH_URL: FAKE,
      TENANTMAP_SYNC_MINUTES: "0",
      RUST_LOG: "warn",
    },
    stdio: "ignore",
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await expect(async () => expect((await fetch(`${base}/first-run`)).ok).toBeTruthy()).toPass({ timeout: 15_000 });
    await page.goto(`${base}/first-run`);
    await page.getByLabel("Account name").fill("Harbor IT");
    await page.getByLabel("Your email").fill("owner@harbor.example");
    await page.getByLabel("Password", { exact: true }).fill("harbor first password");
    await page.getByLabel("Password again").fill("harbor first password");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page).toHaveURL(`${base}/`);

    // Nothing yet: connecting to Microsoft comes first.
    expect(await checklist(page, base)).toEqual([
      "Next: Connect Microsoft, or import your Microsoft Tenants from a CSV",
      "To do: Add or import your Organizations (your billed customers)",
      "To do: Map each Microsoft Tenant to a Syncro Tenant with Suggestions",
      "To do: Set up Entra ID User Sync on a mapped Syncro Tenant",
    ]);
    await page.getByRole("link", { name: "Connect Microsoft, or import your Microsoft Tenants from a CSV" }).click();
    await expect(page).toHaveURL(`${base}/admin/microsoft-integration`);
    await page.getByLabel(/Cloud Solution Provider/).check();
    await page.getByLabel("Directory (tenant) ID").fill(PARTNER.tenant);
    await page.getByLabel("Application (client) ID").fill(PARTNER.client);
    await page.getByLabel("Client secret (its Value)").fill(PARTNER.secret);
    await page.getByRole("button", { name: "Connect" }).click();
    await page.getByRole("button", { name: "Sync Now" }).click();
    await expect(async () => {
      await page.goto(`${base}/admin/microsoft-integration`);
      await expect(page.getByRole("heading", { name: "Last sync" })).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 30_000 });

    expect(await checklist(page, base)).toEqual([
      "Done: Connect Microsoft, or import your Microsoft Tenants from a CSV",
      "Next: Add or import your Organizations (your billed customers)",
      "To do: Map each Microsoft Tenant to a Syncro Tenant with Suggestions — 0 of 6 mapped",
      "To do: Set up Entra ID User Sync on a mapped Syncro Tenant",
    ]);
    for (const name of CUSTOMERS) {
      await page.goto(`${base}/organizations/new`);
      await page.getByLabel("Name", { exact: true }).fill(name);
      await page.getByRole("button", { name: "Save" }).click();
      await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
    }

    expect(await checklist(page, base)).toEqual([
      "Done: Connect Microsoft, or import your Microsoft Tenants from a CSV",
      "Done: Add or import your Organizations (your billed customers)",
      "Next: Map each Microsoft Tenant to a Syncro Tenant with Suggestions — 0 of 6 mapped",
      "To do: Set up Entra ID User Sync on a mapped Syncro Tenant",
    ]);
    await page.getByRole("link", { name: "Map each Microsoft Tenant to a Syncro Tenant with Suggestions" }).click();
    await page.getByRole("button", { name: "Accept all with high confidence (6)" }).click();
    await expect(page.getByRole("status")).toContainText("Mapped 6 Microsoft Tenants.");

    expect(await checklist(page, base)).toEqual([
      "Done: Connect Microsoft, or import your Microsoft Tenants from a CSV",
      "Done: Add or import your Organizations (your billed customers)",
      "Done: Map each Microsoft Tenant to a Syncro Tenant with Suggestions",
      "Next: Set up Entra ID User Sync on a mapped Syncro Tenant",
    ]);
    await page.getByRole("link", { name: "Set up Entra ID User Sync on a mapped Syncro Tenant" }).click();
    await page.getByRole("link", { name: "Contoso Group", exact: true }).click();
    await page.getByRole("link", { name: "Set Up Entra ID User Sync" }).click();
    await page.getByRole("button", { name: "Save and preview" }).click();
    await page.getByRole("button", { name: "Apply and sync now" }).click();

    // Everything done: no checklist, the figures instead.
    await page.goto(`${base}/`);
    await expect(page.getByRole("region", { name: "Getting started" })).toHaveCount(0);
    const figure = (label: string) => page.locator(".figures div").filter({ hasText: label }).locator("dd");
    await expect(figure("Microsoft Tenants")).toHaveText("6");
    await expect(figure("Unmapped")).toHaveText("0");
    await expect(figure("Organizations")).toHaveText("6");
    await expect(page.getByText(/Connected as Cloud Solution Provider \(CSP\)\. Last sync/)).toBeVisible();
  } finally {
    server.kill();
    rmSync(data, { recursive: true, force: true });
  }
});
