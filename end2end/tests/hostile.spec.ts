import { expect, test } from "@playwright/test";
import { createOrganization, unique } from "./helpers";

// A record named with markup — as a customer's directory or an imported file can name one —
// is text wherever it shows: the page stays where it is, and its title reads the name as typed.
test("a name with markup is text in the page's title", async ({ page }, info) => {
  const name = `</title><meta http-equiv="refresh" content="0;url=/sign-in?evil=1"> ${unique(info)}`;
  const url = await createOrganization(page, name);
  for (const path of [url, `${url}/edit`, `${url}/end-users`]) {
    await page.goto(path);
    // A refresh planted in the head would have moved the page by now.
    await page.waitForTimeout(300);
    expect(page.url()).toBe(path);
    const title = await page.title();
    expect(title).toContain(`</title><meta http-equiv="refresh"`);
    expect(title.endsWith("· tenantmap")).toBe(true);
    await expect(page.locator('head meta[http-equiv="refresh"]')).toHaveCount(0);
  }
  // The Syncro Tenant named after it, from the Organization's page.
  await page.goto(url);
  await page.getByRole("link", { name }).first().click();
  await expect(page).toHaveURL(/\/syncro-tenants\/[0-9a-f-]{36}$/);
  expect(await page.title()).toBe(`${name} · tenantmap`);
});
