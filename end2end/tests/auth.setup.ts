import { expect, test as setup } from "@playwright/test";
import { ADMIN, TECH, addUser, adminState, signIn, techState } from "./helpers";

// Signs in the Administrator the web server command created, adds a Technician through
// Admin > Users, and keeps both sessions for the other projects.
setup("sign in as Administrator and add a Technician", async ({ page, browser }, info) => {
  await page.goto("/admin/microsoft-tenants");
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  await signIn(page, ADMIN.email, ADMIN.password);
  await expect(page).toHaveURL(/\/admin\/microsoft-tenants$/);
  await expect(page.getByText(ADMIN.email)).toBeVisible();
  await page.context().storageState({ path: adminState(info) });

  await addUser(page, TECH.email, "Technician", TECH.password);
  const tech = await browser.newPage();
  await signIn(tech, TECH.email, TECH.password);
  await expect(tech.getByText(TECH.email)).toBeVisible();
  await tech.context().storageState({ path: techState(info) });
  await tech.close();
});
