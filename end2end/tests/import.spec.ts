import { expect, test } from "@playwright/test";
import { guid, unique } from "./helpers";

test("CSV file import reports bad rows by line and imports the rest", async ({ page }, info) => {
  const good = `Imported ${unique(info)}`;
  const csv = [
    "tenantId,displayName,defaultDomainName",
    `${guid()},${good},imp${Date.now()}.onmicrosoft.com`,
    "not-a-guid,Bad Row,bad.onmicrosoft.com",
  ].join("\n");
  await page.goto("/admin/microsoft-tenants");
  // The file itself is posted (multipart/form-data): the same with and without JavaScript.
  await page.getByLabel("CSV file").setInputFiles({ name: "tenants.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.getByRole("button", { name: "Import", exact: true }).click();
  const status = page.getByRole("status");
  await expect(status).toContainText("Added 1, updated 0, rejected 1.");
  await expect(status).toContainText("Line 3: tenant_id not a valid tenant ID");
  await page.goto(`/admin/microsoft-tenants?q=${encodeURIComponent(good)}`);
  await expect(page.getByRole("row").filter({ hasText: good })).toBeVisible();
});
