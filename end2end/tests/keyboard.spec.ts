import { expect, test } from "@playwright/test";
import { createOrganization, guid, importTenants, interactive, jsEnabled, kind, unique } from "./helpers";

test("the ⋮ menu and the mapping dialog work by keyboard", async ({ page }, info) => {
  test.skip(!jsEnabled(info) || kind(info) === "mobile", "keyboard use on a desktop browser with JavaScript");
  const u = unique(info);
  const tenant = `Keyboard Tenant ${u}`;
  await createOrganization(page, `Keyboard Org ${u}`);
  await importTenants(page, [[guid(), tenant, `kb${Date.now()}.onmicrosoft.com`]]);
  await page.goto(`/admin/microsoft-tenants?q=${encodeURIComponent(tenant)}`);
  // The ⋮ menu is an island: keys pressed before it hydrates go to the plain <details>.
  await interactive(page, info);

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

test("Suggestions by keyboard: j and k move between rows, x ticks, a accepts", async ({ page }, info) => {
  test.skip(!jsEnabled(info) || kind(info) === "mobile", "keyboard use on a desktop browser with JavaScript");
  const u = unique(info);
  const [alpha, beta] = [`Keys Alpha ${u}`, `Keys Beta ${u}`];
  await createOrganization(page, alpha);
  await createOrganization(page, beta);
  await importTenants(page, [
    [guid(), alpha, `ka${Date.now()}.onmicrosoft.com`],
    [guid(), beta, `kb${Date.now()}.onmicrosoft.com`],
  ]);
  await page.goto("/admin/microsoft-tenants/suggestions?confidence=high");
  // The page's islands are live (main.rs marks it) before keys are pressed.
  await page.waitForFunction(() => performance.getEntriesByName("tenantmap:interactive").length > 0);
  const first = page.getByLabel(`Map ${alpha} to ${alpha}`);
  const second = page.getByLabel(`Map ${beta} to ${beta}`);
  await first.focus();
  await page.keyboard.press("x");
  await expect(first).toBeChecked();
  await page.keyboard.press("j");
  await expect(second).toBeFocused();
  await page.keyboard.press("x");
  await expect(second).toBeChecked();
  await page.keyboard.press("k");
  await expect(first).toBeFocused();
  await page.keyboard.press("a");
  await expect(page.getByText("Mapped 2 Microsoft Tenants.").first()).toBeVisible();
  await expect(first).toHaveCount(0);
});
