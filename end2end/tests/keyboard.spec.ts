import { expect, test } from "@playwright/test";
import { createOrganization, guid, importTenants, jsEnabled, kind, unique } from "./helpers";

test("the ⋮ menu and the mapping dialog work by keyboard", async ({ page }, info) => {
  test.skip(!jsEnabled(info) || kind(info) === "mobile", "keyboard use on a desktop browser with JavaScript");
  const u = unique(info);
  const tenant = `Keyboard Tenant ${u}`;
  await createOrganization(page, `Keyboard Org ${u}`);
  await importTenants(page, [[guid(), tenant, `kb${Date.now()}.onmicrosoft.com`]]);
  await page.goto(`/admin/microsoft-tenants?q=${encodeURIComponent(tenant)}`);

  const menuButton = page.getByRole("button", { name: `Actions for ${tenant}` });
  const item = page.getByRole("menuitem", { name: "Map Syncro Tenant" });
  await menuButton.focus();
  await page.keyboard.press("Enter");
  await expect(item).toBeVisible();
  await page.keyboard.press("ArrowDown");
  await expect(item).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(item).toBeHidden();
  await expect(menuButton).toBeFocused();

  await page.keyboard.press("ArrowDown");
  await expect(item).toBeFocused();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Start Tenant Mapping" });
  await expect(dialog.getByLabel("Find a Syncro Tenant")).toBeFocused();
  // Focus stays in the dialog however far one tabs, both ways.
  for (let i = 0; i < 7; i++) {
    await page.keyboard.press("Tab");
    await expect(dialog.locator(":focus")).toHaveCount(1);
  }
  for (let i = 0; i < 7; i++) {
    await page.keyboard.press("Shift+Tab");
    await expect(dialog.locator(":focus")).toHaveCount(1);
  }
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await expect(page).not.toHaveURL(/map=/);
});
