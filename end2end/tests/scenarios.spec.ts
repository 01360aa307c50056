import { expect, test } from "@playwright/test";
import { chooseRowAction, createOrganization, guid, importTenants, interactive, jsEnabled, layoutShift, unique, watchLayoutShifts } from "./helpers";

test("navigation leads to Microsoft Tenant Management", async ({ page }) => {
  await page.goto("/");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Organizations" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Syncro Tenants" })).toBeVisible();
  await nav.getByRole("link", { name: "Admin" }).click();
  await page.getByRole("link", { name: /RMM Settings - Microsoft Tenant Management/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "RMM Settings - Microsoft Tenant Management" })).toBeVisible();
});

test("S1 map a Microsoft Tenant to a Syncro Tenant", async ({ page }, info) => {
  const u = unique(info);
  const stName = `Contoso Dental ${u}`;
  const tenantName = `Contoso ${u}`;
  await createOrganization(page, stName);
  await importTenants(page, [[guid(), tenantName, `contoso${Date.now()}.onmicrosoft.com`]]);

  await page.goto(`/admin/microsoft-tenants?q=${encodeURIComponent(tenantName)}`);
  await chooseRowAction(page, tenantName, "Map Syncro Tenant");
  const dialog = page.getByRole("dialog", { name: "Start Tenant Mapping" });
  await expect(dialog).toBeVisible();
  // With JavaScript the list follows the box as one types; without it, Filter reloads the page.
  await dialog.getByLabel("Find a Syncro Tenant").fill(stName);
  if (!jsEnabled(info)) await dialog.getByRole("button", { name: "Filter" }).click();
  await expect(dialog.getByLabel("Syncro Tenant", { exact: true }).getByRole("option")).toHaveText([stName]);
  await dialog.getByLabel("Syncro Tenant", { exact: true }).selectOption({ label: stName });
  await dialog.getByRole("button", { name: "Start Tenant Mapping" }).click();

  await expect(page.getByRole("dialog")).toHaveCount(0);
  // What happened, where the eye is (and announced): then gone on the next page.
  await expect(page.getByRole("status")).toHaveText(`Mapped ${tenantName} to ${stName}.`);
  const row = page.getByRole("row").filter({ hasText: tenantName });
  const link = row.getByRole("link", { name: stName });
  await expect(link).toBeVisible();
  await link.click();
  await expect(page.getByRole("heading", { level: 1, name: stName })).toBeVisible();
  await expect(page.getByRole("region", { name: "Microsoft Tenant" }).getByRole("link", { name: tenantName })).toBeVisible();
  await expect(page.getByRole("status")).toHaveCount(0);
});

test("undo a mapping from the activity log", async ({ page }, info) => {
  const u = unique(info);
  const stName = `Undo Dental ${u}`;
  const tenantName = `Undo ${u}`;
  await createOrganization(page, stName);
  await importTenants(page, [[guid(), tenantName, `undo${Date.now()}.onmicrosoft.com`]]);
  await page.goto(`/admin/microsoft-tenants?q=${encodeURIComponent(tenantName)}`);
  await chooseRowAction(page, tenantName, "Map Syncro Tenant");
  const dialog = page.getByRole("dialog", { name: "Start Tenant Mapping" });
  await dialog.getByLabel("Find a Syncro Tenant").fill(stName);
  if (!jsEnabled(info)) await dialog.getByRole("button", { name: "Filter" }).click();
  await dialog.getByLabel("Syncro Tenant", { exact: true }).selectOption({ label: stName });
  await dialog.getByRole("button", { name: "Start Tenant Mapping" }).click();
  await expect(page.getByRole("status")).toHaveText(`Mapped ${tenantName} to ${stName}.`);

  // Admin > Activity, mappings, this tenant: the change by name, with Undo.
  await page.goto("/admin");
  await page.getByRole("link", { name: /Activity/ }).click();
  await page.getByLabel("Kind of change").selectOption({ label: "Mappings" });
  await page.getByLabel("Search").fill(tenantName);
  await page.getByRole("button", { name: "Show" }).click();
  const summary = `Mapped Microsoft Tenant "${tenantName}" to Syncro Tenant "${stName}"`;
  const row = page.getByRole("row").filter({ hasText: summary });
  await expect(row).toHaveCount(1);
  await expect(row.getByRole("cell", { name: "admin@e2e.example" })).toBeVisible();
  await row.getByRole("button", { name: `Undo: ${summary}` }).click();
  await expect(page.getByRole("status")).toHaveText(`Undone: ${summary}.`);
  await expect(page.getByRole("row").filter({ hasText: `Unmapped Microsoft Tenant "${tenantName}" from Syncro Tenant "${stName}" (undo)` })).toHaveCount(1);

  // The tenant is unmapped again.
  await page.goto(`/admin/microsoft-tenants?q=${encodeURIComponent(tenantName)}`);
  const tenantRow = page.getByRole("row").filter({ hasText: tenantName });
  await expect(tenantRow).toHaveCount(1);
  await expect(tenantRow.getByRole("link", { name: stName })).toHaveCount(0);
});

test("S2 choose a parent Syncro Tenant in ORGANIZATION SETTINGS", async ({ page }, info) => {
  const u = unique(info);
  const parent = `Harbor Group ${u}`;
  const child = `Harbor Annex ${u}`;
  await createOrganization(page, parent);
  await createOrganization(page, child);
  await page.getByRole("link", { name: "Edit" }).click();
  await expect(page.getByRole("heading", { name: "ORGANIZATION SETTINGS" })).toBeVisible();
  await page.getByLabel("Find a Syncro Tenant").fill(parent);
  if (!jsEnabled(info)) await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByLabel("Syncro Tenant", { exact: true }).getByRole("option")).toHaveCount(2); // current + match
  await page.getByLabel("Syncro Tenant", { exact: true }).selectOption({ label: parent });
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("heading", { level: 1, name: child })).toBeVisible();
  await page.getByRole("link", { name: parent, exact: true }).click();
  const orgs = page.getByRole("region", { name: /Organizations/ });
  await expect(orgs.getByRole("link", { name: child })).toBeVisible();
  await expect(orgs.getByRole("link", { name: parent })).toBeVisible();
});

test("S3 a new Organization gets its own Syncro Tenant", async ({ page }, info) => {
  const name = `Acme Dental ${unique(info)}`;
  await createOrganization(page, name);
  await page.getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  const orgs = page.getByRole("region", { name: "Organizations (1)" });
  await expect(orgs.getByRole("link")).toHaveCount(1);
  await expect(orgs.getByRole("link", { name })).toBeVisible();

  // The same name again: nothing is created and the error names the existing Syncro Tenant.
  await page.goto("/organizations/new");
  await page.getByLabel("Name", { exact: true }).fill(`  ${name.toUpperCase()} `);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "already taken" })).toBeVisible();
});

test("S4 in one step: group the offices from the Organizations list, with a preview", async ({ page }, info) => {
  const u = unique(info);
  const offices = ["Boston", "Waltham", "Burlington"].map((o) => `Foggy IT Services ${u} - ${o}`);
  const [boston, waltham, burlington] = offices;
  const target = `Foggy IT Services ${u}`;
  const tenant = `Foggy IT ${u}`;
  const domain = `foggy${Date.now()}.onmicrosoft.com`;
  for (const name of offices) await createOrganization(page, name);
  await importTenants(page, [[guid(), tenant, domain]]);

  // Select the offices on the Organizations list and group them.
  await page.goto(`/organizations?q=${encodeURIComponent(`Foggy IT Services ${u} - `)}`);
  for (const name of offices) await page.getByRole("checkbox", { name: `Select ${name}` }).check();
  await page.getByRole("button", { name: "Group under one Syncro Tenant" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Group under one Syncro Tenant" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "3 Organizations" })).toBeVisible();
  // The name offered is the words the three names share.
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue(target);

  // Keep Boston's Syncro Tenant (renamed), find the tenant, preview.
  await page.getByRole("radio", { name: `Keep “${boston}”` }).check();
  await page.getByLabel("Find a Microsoft Tenant").fill(tenant);
  await page.getByRole("button", { name: "Find", exact: true }).click();
  await expect(page.getByLabel("Find a Microsoft Tenant")).toHaveValue(tenant);
  await page.getByLabel("Map it to").selectOption({ label: `${tenant} (${domain})` });
  await page.getByRole("button", { name: "Preview" }).click();
  const preview = page.getByRole("region", { name: "Preview" });
  await expect(preview.getByRole("listitem")).toHaveText([
    `Rename the Syncro Tenant "${boston}" to "${target}".`,
    `Keep "${boston}" (already under it).`,
    `Move "${burlington}" from "${burlington}".`,
    `Move "${waltham}" from "${waltham}".`,
    `Map the Microsoft Tenant "${tenant}" (${domain}) to it.`,
    `Delete the Syncro Tenant "${burlington}", left empty.`,
    `Delete the Syncro Tenant "${waltham}", left empty.`,
  ]);
  await preview.getByRole("button", { name: "Apply" }).click();

  // One step later: the Syncro Tenant's page shows the tenant on the left, three offices on the right.
  await expect(page.getByRole("heading", { level: 1, name: target })).toBeVisible();
  await expect(page.getByRole("region", { name: "Microsoft Tenant" }).getByRole("link", { name: tenant })).toBeVisible();
  const orgs = page.getByRole("region", { name: "Organizations (3)" });
  for (const name of offices) await expect(orgs.getByRole("link", { name })).toBeVisible();
  await expect(page.getByRole("status")).toHaveText(`Grouped 3 Organizations under ${target}.`);

  // Undo, in the status line: the three Syncro Tenants are back, each with its office, and
  // the tenant is unmapped.
  await page.locator(".status-row").getByRole("button", { name: "Undo" }).click();
  await expect(page.getByRole("status")).toContainText(`Undone: Grouped 3 Organizations under Syncro Tenant "${target}"`);
  await expect(page.getByRole("heading", { level: 1, name: boston })).toBeVisible();
  await page.goto(`/syncro-tenants?q=${encodeURIComponent(`Foggy IT Services ${u}`)}`);
  for (const name of offices) await expect(page.getByRole("link", { name, exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: target, exact: true })).toHaveCount(0);
  await page.getByRole("link", { name: boston, exact: true }).click();
  await expect(page.getByRole("region", { name: "Organizations (1)" }).getByRole("link", { name: boston })).toBeVisible();
  await expect(page.getByRole("region", { name: "Microsoft Tenant" })).toContainText("Not mapped.");
});

test("S4 Foggy IT: three Organizations under one mapped Syncro Tenant", async ({ page }, info) => {
  const u = unique(info);
  const boston = `Foggy IT Services ${u} - Boston`;
  const waltham = `Foggy IT Services ${u} - Waltham`;
  const burlington = `Foggy IT Services ${u} - Burlington`;
  const target = `Foggy IT Services ${u}`;
  const tenant = `Foggy IT ${u}`;
  for (const name of [boston, waltham, burlington]) await createOrganization(page, name);
  await importTenants(page, [[guid(), tenant, `foggy${Date.now()}.onmicrosoft.com`]]);

  // 1. Rename the automatic Syncro Tenant of Boston.
  await page.goto(`/syncro-tenants?q=${encodeURIComponent(boston)}`);
  await page.getByRole("link", { name: boston }).click();
  await page.getByLabel("Syncro Tenant name").fill(target);
  await page.getByRole("button", { name: "Rename" }).click();
  await expect(page.getByRole("heading", { level: 1, name: target })).toBeVisible();

  // 2. Move Waltham and Burlington to it.
  await page.getByPlaceholder("Find Organizations").fill(`Foggy IT Services ${u}`);
  await page.getByRole("button", { name: "Find" }).click();
  // The found list replaces the first one when it arrives: choose from the found list only
  // (all three match; Boston is already here), or a late re-render drops the ticks.
  await expect(page).toHaveURL(/org_q=/);
  await expect(page.locator('input[name="organizations[]"]')).toHaveCount(3);
  await page.getByRole("checkbox", { name: waltham }).check();
  await page.getByRole("checkbox", { name: burlington }).check();
  await page.getByRole("button", { name: "Add Organizations" }).click();
  await expect(page.getByRole("region", { name: "Organizations (3)" })).toBeVisible();

  // 3. Map the Microsoft Tenant to it.
  await page.goto(`/admin/microsoft-tenants?q=${encodeURIComponent(tenant)}`);
  await chooseRowAction(page, tenant, "Map Syncro Tenant");
  const dialog = page.getByRole("dialog", { name: "Start Tenant Mapping" });
  await dialog.getByLabel("Find a Syncro Tenant").fill(target);
  if (!jsEnabled(info)) await dialog.getByRole("button", { name: "Filter" }).click();
  await dialog.getByLabel("Syncro Tenant", { exact: true }).selectOption({ label: target });
  if (jsEnabled(info)) await watchLayoutShifts(page);
  await dialog.getByRole("button", { name: "Start Tenant Mapping" }).click();
  await expect(page.getByRole("status")).toContainText(`Mapped ${tenant} to ${target}.`);
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await interactive(page, info);
  if (jsEnabled(info)) {
    // The answer is said again for screen readers once the page is ready (emptied, then put
    // back): nothing on the page moves meanwhile, so a tap right after it arrives lands where it
    // was aimed. (It once moved the list 41 px on a phone for 100 ms, and a tap missed its row.)
    await page.waitForTimeout(300);
    expect(await layoutShift(page)).toBe(0);
  }
  await page.getByRole("row").filter({ hasText: tenant }).getByRole("link", { name: target }).click();

  await expect(page.getByRole("region", { name: "Microsoft Tenant" }).getByRole("link", { name: tenant })).toBeVisible();
  const orgs = page.getByRole("region", { name: "Organizations (3)" });
  for (const name of [boston, waltham, burlington]) {
    await expect(orgs.getByRole("link", { name })).toBeVisible();
  }

  // The Organizations list: three rows sharing one Syncro Tenant, each linking it.
  await page.goto(`/organizations?q=${encodeURIComponent(`Foggy IT Services ${u} - `)}`);
  await expect(page.getByText(/· 3 in all$/)).toBeVisible();
  for (const name of [boston, waltham, burlington]) {
    const row = page.getByRole("row").filter({ has: page.getByRole("link", { name, exact: true }) });
    await expect(row.getByRole("link", { name: target, exact: true })).toBeVisible();
  }
  await expect(page.getByRole("alert")).toHaveCount(0);
});
