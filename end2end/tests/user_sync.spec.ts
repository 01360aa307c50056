import { expect, test } from "@playwright/test";
import { ADMIN, chooseRowAction, createOrganization, interactive, jsEnabled, signIn, unique } from "./helpers";

// The fake Microsoft's app registration (server/src/fake_microsoft.rs), and its test controls.
const CLIENT_ID = "c1c1c1c1-0000-4000-8000-000000000002";
const CLIENT_SECRET = "fake~secret.Value-0123456789";
const fakeURL = `http://127.0.0.1:${process.env.E2E_FAKE_PORT ?? 3918}`;
const PROJECTS = ["desktop", "mobile", "nojs", "dynamodb-desktop", "dynamodb-mobile", "dynamodb-nojs"];

// Each project signs in to an account of its own (playwright.config.ts), connected as Single
// Tenant to a Foggy IT directory of its own in the fake Microsoft.
test.use({ storageState: { cookies: [], origins: [] } });

test("Entra ID User Sync: Foggy IT's people under the right offices, and a leaver", async ({ page, request }, info) => {
  const n = 100 + PROJECTS.indexOf(info.project.name);
  const domain = `foggy${n}.example`;
  const users = [
    { n: 1, name: "Ann Lee", upn: `ann@${domain}`, department: "Boston Office" },
    { n: 2, name: "Bob Stone", upn: `bob@${domain}`, department: "Boston Office" },
    { n: 3, name: "Walt Ham", upn: `walt@waltham.${domain}`, department: "Sales" },
    { n: 4, name: "Wendy Wu", upn: `wendy@waltham.${domain}`, department: "" },
    { n: 5, name: "Nora North", upn: `nora@${domain}`, department: "Finance" },
  ];
  const made = await request.post(`${fakeURL}/_fake/customers`, {
    data: { n, name: `Foggy IT ${n}`, domain: `foggyit${n}.onmicrosoft.com`, users },
  });
  expect(made.ok()).toBeTruthy();
  const tenantId: string = (await made.json()).tenantId;

  await page.goto("/sign-in");
  await signIn(page, `users-${info.project.name}@e2e.example`, ADMIN.password);
  await expect(page.getByText(`users-${info.project.name}@e2e.example`)).toBeVisible();

  // Connect as Single Tenant to the project's Foggy IT, and sync the tenant in.
  await page.goto("/admin/microsoft-integration");
  const connect = page.getByRole("region", { name: "Connect to Microsoft" });
  await connect.getByLabel(/Single Tenant/).check();
  await connect.getByLabel("Directory (tenant) ID").fill(tenantId);
  await connect.getByLabel("Application (client) ID").fill(CLIENT_ID);
  await connect.getByLabel("Client secret (its Value)").fill(CLIENT_SECRET);
  await connect.getByRole("button", { name: "Connect" }).click();
  await expect(page.getByRole("heading", { name: "Connected as Single Tenant" })).toBeVisible();
  await page.getByRole("button", { name: "Sync Now" }).click();
  const last = page.getByRole("region", { name: "Last sync" });
  await expect(async () => {
    if (!jsEnabled(info)) await page.reload();
    await expect(last).toContainText("1 added", { timeout: 1_000 });
  }).toPass({ timeout: 45_000 });

  // Boston and Waltham under one Syncro Tenant, mapped to the tenant.
  const u = unique(info);
  const boston = `Foggy IT Services ${u} - Boston`;
  const waltham = `Foggy IT Services ${u} - Waltham`;
  for (const name of [boston, waltham]) await createOrganization(page, name);
  await page.goto(`/syncro-tenants?q=${encodeURIComponent(boston)}`);
  await page.getByRole("link", { name: boston }).click();
  await page.getByPlaceholder("Find Organizations").fill(waltham);
  await page.getByRole("button", { name: "Find" }).click();
  await expect(page).toHaveURL(/org_q=/);
  await expect(page.locator('input[name="organizations[]"]')).toHaveCount(2);
  await page.getByRole("checkbox", { name: waltham }).check();
  await page.getByRole("button", { name: "Add Organizations" }).click();
  await expect(page.getByRole("region", { name: "Organizations (2)" })).toBeVisible();
  const tenant = `Foggy IT ${n}`;
  await page.goto(`/admin/microsoft-tenants?q=${encodeURIComponent(tenant)}`);
  await chooseRowAction(page, tenant, "Map Syncro Tenant");
  const dialog = page.getByRole("dialog", { name: "Start Tenant Mapping" });
  await dialog.getByLabel("Find a Syncro Tenant").fill(boston);
  if (!jsEnabled(info)) await dialog.getByRole("button", { name: "Filter" }).click();
  await dialog.getByLabel("Syncro Tenant", { exact: true }).selectOption({ label: boston });
  await dialog.getByRole("button", { name: "Start Tenant Mapping" }).click();
  // The answer first, as a person sees it: a click while the post is still on its way is the
  // browser's to drop (this test clicked too early once in three runs).
  await expect(page.getByRole("status")).toContainText(`Mapped ${tenant} to ${boston}.`);
  await interactive(page, info);
  await page.getByRole("row").filter({ hasText: tenant }).getByRole("link", { name: boston }).click();

  // Set up the sync with two routing rules.
  const panel = page.getByRole("region", { name: "Entra ID User Sync" });
  await panel.getByRole("link", { name: "Set Up Entra ID User Sync" }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Entra ID User Sync of ${boston}` })).toBeVisible();
  const rule1 = page.getByRole("group", { name: "Rule 1" });
  await rule1.getByLabel("When the user's").selectOption("department");
  await rule1.getByLabel("is", { exact: true }).fill("Boston Office");
  await rule1.getByLabel("put them in").selectOption({ label: boston });
  const rule2 = page.getByRole("group", { name: "Rule 2" });
  await rule2.getByLabel("When the user's").selectOption("domain");
  await rule2.getByLabel("is", { exact: true }).fill(`waltham.${domain}`);
  await rule2.getByLabel("put them in").selectOption({ label: waltham });
  await page.getByRole("button", { name: "Save and preview" }).click();

  // The preview: who would be created where; one user is left unassigned.
  await expect(page.getByRole("heading", { level: 1, name: `Preview: Entra ID User Sync of ${boston}` })).toBeVisible();
  await expect(page.getByText("Applying would: 4 created. 1 user is not brought in")).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: "Ann Lee" })).toContainText(boston);
  await expect(page.getByRole("row").filter({ hasText: "Walt Ham" })).toContainText(waltham);
  await expect(page.getByRole("row").filter({ hasText: "Nora North" })).toHaveCount(0);
  // Who is not brought in is listed, with why.
  await expect(page.getByRole("listitem").filter({ hasText: "Nora North" })).toHaveText(
    "Nora North: no rule routes them and everyone else is left unassigned",
  );
  await page.getByRole("button", { name: "Apply and sync now" }).click();

  // Applied: the report on the Syncro Tenant's page, the people under the right offices.
  await expect(page.getByRole("heading", { level: 1, name: boston })).toBeVisible();
  await expect(panel).toContainText("4 created");
  await page.getByRole("link", { name: waltham }).click();
  await page.getByRole("link", { name: "End Users" }).click();
  const people = page.getByRole("table");
  await expect(people.getByRole("link", { name: "Walt Ham" })).toBeVisible();
  await expect(people.getByRole("link", { name: "Wendy Wu" })).toBeVisible();
  await expect(people.getByRole("link", { name: "Ann Lee" })).toHaveCount(0);
  const walthamPeople = page.url();

  // Walt leaves; after the next sync his End User is inactive, kept.
  const left = await request.post(`${fakeURL}/_fake/users/change`, {
    data: { tenantId, upn: `walt@waltham.${domain}`, deleted: true },
  });
  expect(left.ok()).toBeTruthy();
  await page.goto(`/syncro-tenants?q=${encodeURIComponent(boston)}`);
  await page.getByRole("link", { name: boston }).click();
  await panel.getByRole("button", { name: "Sync Users Now" }).click();
  await expect(panel).toContainText("1 deactivated");
  await page.goto(walthamPeople);
  await expect(page.getByRole("table").getByRole("link", { name: "Walt Ham" })).toHaveCount(0);
  await page.getByRole("link", { name: "Inactive" }).click();
  await expect(page.getByRole("table").getByRole("link", { name: "Walt Ham" })).toBeVisible();
});
