import { expect, test } from "@playwright/test";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  addUser,
  adminState,
  createOrganization,
  guid,
  importTenants,
  jsEnabled,
  kind,
  signIn,
  store,
  techState,
  unique,
} from "./helpers";

test.describe("signed out", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("sign in, come back to the page asked for, and sign out", async ({ page, browser }, info) => {
    // A user of our own, so other tests' sign-ins and throttling never interfere.
    const email = `signin-${guid().slice(0, 8)}@e2e.example`;
    const admin = await browser.newPage({ storageState: adminState(info) });
    await addUser(admin, email, "Technician", "a password for sign-in");
    await admin.close();

    await page.goto("/organizations?q=zzz");
    await expect(page).toHaveURL(/\/sign-in\?next=/);
    await expect(page.getByRole("navigation", { name: "Main" })).toHaveCount(0);
    await signIn(page, email, "not the password");
    await expect(page.getByRole("alert")).toContainText("The email or password is not right.");
    await signIn(page, email, "a password for sign-in");
    await expect(page).toHaveURL(/\/organizations\?q=zzz$/);
    await expect(page.getByRole("heading", { level: 1, name: "Organizations" })).toBeVisible();
    await expect(page.getByText(email)).toBeVisible();

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in$/);
    await page.goto("/organizations");
    await expect(page).toHaveURL(/\/sign-in\?next=/);
  });

  test("the first-run page creates the first account once", async ({ page }, info) => {
    test.skip(kind(info) === "mobile", "one layout is enough for a page used once");
    test.skip(store(info) === "dynamodb", "starts its own embedded server; the store's first-run condition is in the contract suite");
    const port = await freePort();
    const data = mkdtempSync(join(tmpdir(), "tenantmap-first-run-"));
    const server = spawn(process.env.E2E_SERVER ?? "target/release/server", ["serve"], {
      cwd: "..",
      env: { ...process.env, LEPTOS_SITE_ADDR: `127.0.0.1:${port}`, TENANTMAP_DATA: data, TENANTMAP_LOCAL_SETUP: "1", RUST_LOG: "warn" },
      stdio: "ignore",
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      await expect(async () => {
        const res = await fetch(`${base}/first-run`);
        expect(res.ok).toBeTruthy();
      }).toPass({ timeout: 15_000 });
      await page.goto(`${base}/organizations`);
      await expect(page).toHaveURL(`${base}/first-run`);
      const fill = async (again: string) => {
        await page.getByLabel("Account name").fill(`Harbor IT ${unique(info)}`);
        await page.getByLabel("Your email").fill("owner@harbor.example");
        await page.getByLabel("Password", { exact: true }).fill("harbor first password");
        await page.getByLabel("Password again").fill(again);
      };
      await fill("harbor second password");
      await page.getByRole("button", { name: "Create account" }).click();
      await expect(page.getByRole("alert")).toContainText("not the same");
      await fill("harbor first password");
      await page.getByRole("button", { name: "Create account" }).click();
      await expect(page).toHaveURL(`${base}/`);
      await expect(page.getByText("owner@harbor.example")).toBeVisible();
      // Never again.
      await page.goto(`${base}/first-run`);
      await expect(page).toHaveURL(`${base}/`);
      const other = await page.context().browser()!.newPage();
      await other.goto(`${base}/first-run`);
      await expect(other).toHaveURL(`${base}/sign-in`);
      await other.close();
    } finally {
      server.kill();
      rmSync(data, { recursive: true, force: true });
    }
  });
});

test.describe("as a Technician", () => {
  test.use({ storageState: async ({}, use, info) => use(techState(info)) });

  test("S5 a Technician sees the pages without the actions, and a direct call is refused", async ({ page, browser }, info) => {
    const u = unique(info);
    const orgName = `Tech View Dental ${u}`;
    const tenantName = `Tech View ${u}`;
    const admin = await browser.newPage({ storageState: adminState(info) });
    const orgUrl = await createOrganization(admin, orgName);
    await importTenants(admin, [[guid(), tenantName, `techview${Date.now()}.onmicrosoft.com`]]);
    await admin.close();

    await page.goto(`/admin/microsoft-tenants?q=${encodeURIComponent(tenantName)}`);
    await expect(page.getByRole("row").filter({ hasText: tenantName })).toBeVisible();
    await expect(page.getByRole("button", { name: `Actions for ${tenantName}` })).toHaveCount(0);
    await expect(page.getByRole("link", { name: "Import CSV" })).toHaveCount(0);
    // The dialog's URL does not open it either.
    await page.goto(`/admin/microsoft-tenants?map=${guid()}`);
    await expect(page.getByRole("dialog")).toHaveCount(0);

    await page.goto("/organizations");
    await expect(page.getByRole("heading", { level: 1, name: "Organizations" })).toBeVisible();
    await expect(page.getByRole("link", { name: "New Organization" })).toHaveCount(0);
    await page.goto(orgUrl);
    await expect(page.getByRole("heading", { level: 1, name: orgName })).toBeVisible();
    await expect(page.getByRole("link", { name: "Edit" })).toHaveCount(0);
    await page.getByRole("link", { name: orgName }).last().click();
    await expect(page.getByRole("heading", { level: 1, name: orgName })).toBeVisible();
    await expect(page.getByRole("button", { name: "Rename" })).toHaveCount(0);
    await expect(page.getByRole("heading", { name: "Add Organizations" })).toHaveCount(0);
    await page.goto(`/syncro-tenants?q=${encodeURIComponent(orgName)}`);
    await expect(page.getByRole("link", { name: orgName })).toBeVisible();
    await expect(page.getByRole("button", { name: /^Delete/ })).toHaveCount(0);
    await page.goto("/organizations/new");
    await expect(page.getByText("Only Administrators can create or change Organizations.")).toBeVisible();
    await expect(page.getByRole("button", { name: "Save" })).toHaveCount(0);
    await page.goto("/admin/users");
    await expect(page.getByRole("alert")).toContainText("not allowed");

    // The server is the check: a direct call with this session is refused and changes nothing.
    const res = await page.request.post("/api/create-organization", {
      form: { name: `Forged ${u}`, email: "", phone: "", address: "", syncro_tenant: "" },
    });
    expect(res.ok()).toBeFalsy();
    expect(await res.text()).toContain("NotAllowed");
    await page.goto(`/organizations?q=${encodeURIComponent(`Forged ${u}`)}`);
    await expect(page.getByRole("link", { name: `Forged ${u}` })).toHaveCount(0);
  });
});

test("a disabled user's open page can no longer change anything", async ({ page, browser }, info) => {
  const u = unique(info);
  const email = `disabled-${guid().slice(0, 8)}@e2e.example`;
  await addUser(page, email, "Administrator", "soon to be disabled");

  const victim = await browser.newPage({ storageState: { cookies: [], origins: [] }, javaScriptEnabled: jsEnabled(info) });
  await signIn(victim, email, "soon to be disabled");
  await expect(victim.getByText(email)).toBeVisible();
  await victim.goto("/organizations/new");
  await victim.getByLabel("Name", { exact: true }).fill(`After Disable ${u}`);

  // The Administrator disables the user while that page is open.
  await page.goto("/admin/users");
  const row = page.getByRole("row").filter({ hasText: email });
  // Asked first: the question, then the button that does it.
  await row.getByText("Disable", { exact: true }).click();
  await expect(row).toContainText(`Disable ${email}? Their sessions end at once`);
  await row.getByRole("button", { name: "Yes, disable" }).click();
  await expect(page.getByRole("row").filter({ hasText: email })).toContainText("Disabled");

  // The form posts and the server answers with the sign-in page (with and without JavaScript).
  await victim.getByRole("button", { name: "Save" }).click();
  await expect(victim).toHaveURL(/\/sign-in/);
  await victim.close();
  await page.goto(`/organizations?q=${encodeURIComponent(`After Disable ${u}`)}`);
  await expect(page.getByRole("heading", { level: 1, name: "Organizations" })).toBeVisible();
  await expect(page.getByRole("link", { name: `After Disable ${u}` })).toHaveCount(0);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === "object" ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}
