import { expect, test } from "@playwright/test";
import { adminState, chooseRowAction, createOrganization, guid, importTenants, unique } from "./helpers";

test("bad names get a clear error and nothing is created", async ({ page }, info) => {
  const name = `Overlong ${unique(info)} `.padEnd(121, "x");
  await page.goto("/organizations/new");
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "the limit is 120" })).toBeVisible();
  await expect(page).toHaveURL(/\/organizations\/new/);
  await page.goto(`/organizations?q=${encodeURIComponent(name.slice(0, 30))}`);
  await expect(page.getByText(`No Organizations match “${name.slice(0, 30).trim()}”.`)).toBeVisible();
});

test("a stale mapping dialog gets the reload message", async ({ page, browser }, info) => {
  const u = unique(info);
  // Sorts first, so it is among the options without filtering (filtering would reload the
  // page without JavaScript, and a reloaded page is no longer stale).
  const a = `000 Stale A ${u}`;
  const b = `Stale B ${u}`;
  const tenant = `Stale Tenant ${u}`;
  await createOrganization(page, a);
  await createOrganization(page, b);
  await importTenants(page, [[guid(), tenant, `stale${Date.now()}.onmicrosoft.com`]]);
  await page.goto(`/admin/microsoft-tenants?q=${encodeURIComponent(tenant)}`);
  await chooseRowAction(page, tenant, "Map Syncro Tenant");
  const dialog = page.getByRole("dialog", { name: "Start Tenant Mapping" });
  await expect(dialog).toBeVisible();

  // Someone else maps it in another window meanwhile.
  const other = await browser.newPage({ storageState: adminState(info) });
  await other.goto(page.url());
  const otherDialog = other.getByRole("dialog", { name: "Start Tenant Mapping" });
  await otherDialog.getByLabel("Find a Syncro Tenant").fill(b);
  await otherDialog.getByRole("button", { name: "Filter" }).click();
  await otherDialog.getByLabel("Syncro Tenant", { exact: true }).selectOption({ label: b });
  await otherDialog.getByRole("button", { name: "Start Tenant Mapping" }).click();
  await expect(other.getByRole("dialog")).toHaveCount(0);
  await other.close();

  await dialog.getByLabel("Syncro Tenant", { exact: true }).selectOption({ label: a });
  await dialog.getByRole("button", { name: "Start Tenant Mapping" }).click();
  await expect(page.getByRole("dialog").getByRole("alert")).toContainText("changed by someone else");
  // Nothing was half-applied: the tenant still shows the other mapping.
  await page.goto(`/admin/microsoft-tenants?q=${encodeURIComponent(tenant)}`);
  await expect(page.getByRole("row").filter({ hasText: tenant }).getByRole("link", { name: b })).toBeVisible();
});
