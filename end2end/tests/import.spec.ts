import { expect, test } from "@playwright/test";
import * as fs from "node:fs";
import { chooseRowAction, createOrganization, guid, importTenants, jsEnabled, unique } from "./helpers";

test("CSV file import reports bad rows by line and imports the rest", async ({ page }, info) => {
  const good = `Imported ${unique(info)}`;
  const csv = [
    "tenantId,displayName,defaultDomainName",
    `${guid()},${good},imp${Date.now()}.onmicrosoft.com`,
    "not-a-guid,Bad Row,bad.onmicrosoft.com",
  ].join("\n");
  // One place for both imports, reached from Microsoft Tenant Management.
  await page.goto("/admin/microsoft-tenants");
  await page.getByRole("link", { name: "Import CSV" }).click();
  const tenants = page.getByRole("region", { name: "Microsoft Tenants" });
  // The file itself is posted (multipart/form-data): the same with and without JavaScript.
  await tenants.getByLabel("CSV file").setInputFiles({ name: "tenants.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await tenants.getByRole("button", { name: "Import tenants" }).click();
  const status = page.getByRole("status");
  await expect(status).toContainText("Added 1, updated 0, rejected 1.");
  await expect(status).toContainText("Line 3: tenant_id not a valid tenant ID");
  await page.goto(`/admin/microsoft-tenants?q=${encodeURIComponent(good)}`);
  await expect(page.getByRole("row").filter({ hasText: good })).toBeVisible();
});

test("export the mapping as CSV and read it back as a dry run: zero changes", async ({ page }, info) => {
  const u = unique(info);
  const stName = `Roundtrip Dental ${u}`;
  const mapped = `Roundtrip ${u}`;
  const free = `Roundtrip Free ${u}`;
  await createOrganization(page, stName);
  await importTenants(page, [
    [guid(), mapped, `rt${Date.now()}.onmicrosoft.com`],
    [guid(), free, `rtf${Date.now()}.onmicrosoft.com`],
  ]);
  await page.goto(`/admin/microsoft-tenants?q=${encodeURIComponent(mapped)}`);
  await chooseRowAction(page, mapped, "Map Syncro Tenant");
  const dialog = page.getByRole("dialog", { name: "Start Tenant Mapping" });
  await dialog.getByLabel("Find a Syncro Tenant").fill(stName);
  if (!jsEnabled(info)) await dialog.getByRole("button", { name: "Filter" }).click();
  await dialog.getByLabel("Syncro Tenant", { exact: true }).selectOption({ label: stName });
  await dialog.getByRole("button", { name: "Start Tenant Mapping" }).click();
  await expect(page.getByRole("status")).toHaveText(`Mapped ${mapped} to ${stName}.`);

  // Export CSV; keep this test's rows (others run alongside), as one would in a spreadsheet.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Export CSV" }).click(),
  ]);
  const text = fs.readFileSync(await download.path(), "utf8");
  const lines = text.split("\r\n");
  const mine = [lines[0], ...lines.filter((l) => l.includes(u))];
  expect(mine).toHaveLength(3);
  expect(mine.find((l) => l.includes(mapped))).toContain(stName);

  // Read back as a dry run: nothing would change.
  await page.getByRole("link", { name: "Import CSV" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Import CSV" })).toBeVisible();
  const mappings = page.getByRole("region", { name: "Mappings" });
  await mappings.getByLabel("CSV file").setInputFiles({ name: "mapping.csv", mimeType: "text/csv", buffer: Buffer.from(mine.join("\r\n")) });
  await mappings.getByRole("button", { name: "Check (dry run)" }).click();
  await expect(page.getByRole("status")).toHaveText("Dry run: 0 changes, 2 unchanged, 0 refused. Nothing was changed.");
  await expect(page.getByRole("button", { name: /^Import these/ })).toHaveCount(0);

  // Edited in the spreadsheet: the free tenant goes to a new Syncro Tenant. The dry run offers
  // to import its one change without choosing the file again.
  const newSt = `Roundtrip New ${u}`;
  const edited = mine.map((l) => {
    if (!l.includes(free)) return l;
    const fields = l.split(",");
    fields[3] = newSt;
    return fields.join(",");
  });
  await mappings.getByLabel("CSV file").setInputFiles({ name: "mapping.csv", mimeType: "text/csv", buffer: Buffer.from(edited.join("\r\n")) });
  await mappings.getByLabel("Create the Syncro Tenants that do not exist").check();
  await mappings.getByRole("button", { name: "Check (dry run)" }).click();
  await expect(page.getByRole("status")).toHaveText("Dry run: 1 change, 1 unchanged, 0 refused. Nothing was changed.");
  await expect(page.getByRole("cell", { name: `Create the Syncro Tenant "${newSt}" and map "${free}" to it` })).toBeVisible();
  await page.getByRole("button", { name: "Import this change" }).click();
  await expect(page.getByRole("status")).toHaveText("Imported: 1 changed, 0 unchanged, 0 refused.");
  await expect(page.getByRole("cell", { name: `Created the Syncro Tenant "${newSt}" and mapped "${free}" to it` })).toBeVisible();
  await page.goto(`/admin/microsoft-tenants?q=${encodeURIComponent(free)}`);
  await expect(page.getByRole("row").filter({ hasText: free }).getByRole("link", { name: newSt })).toBeVisible();
});
