import AxeBuilder from "@axe-core/playwright";
import { expect, Page, test, TestInfo } from "@playwright/test";
import { createOrganization, guid, importTenants, jsEnabled, kind, unique } from "./helpers";

// axe-core on every page, in the state an Administrator sees it (with a row, a menu open, the
// dialog, an error, a report), on a desktop and a phone: no violation of WCAG 2.1 A/AA or of
// axe's best practices.
async function noViolations(page: Page, info: TestInfo, what: string) {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"])
    .analyze();
  const found = results.violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
  }));
  expect(found, `${what} (${info.project.name})`).toEqual([]);
  // Nothing wider than the screen: a row of tabs that does not wrap once pushed the phone
  // layout sideways until a textarea covered the Import button.
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow, `${what} is wider than the screen (${info.project.name})`).toBeLessThanOrEqual(0);
  // It looked at the page: dozens of rules apply to any of these pages.
  expect(results.passes.length, what).toBeGreaterThan(15);
}

test("every page has no accessibility violations", async ({ page }, info) => {
  test.skip(!jsEnabled(info), "axe runs as a script in the page");
  test.setTimeout(120_000);
  const u = unique(info);
  const tenant = `A11y Tenant ${u}`;
  const orgUrl = await createOrganization(page, `A11y Org ${u}`);
  await importTenants(page, [[guid(), tenant, `a11y${Date.now()}.onmicrosoft.com`]]);
  await noViolations(page, info, "management page with an import report");

  const pages: Array<[string, string]> = [
    ["/", "home"],
    ["/admin", "admin"],
    ["/admin/users", "users"],
    ["/admin/activity", "activity"],
    ["/admin/microsoft-tenants/import", "import"],
    ["/admin/microsoft-integration", "integration"],
    [`/admin/microsoft-tenants?q=${encodeURIComponent(tenant)}`, "management page"],
    ["/admin/microsoft-tenants?filter=attention", "needs attention"],
    ["/admin/microsoft-tenants/suggestions", "suggestions"],
    ["/syncro-tenants", "Syncro Tenants"],
    ["/organizations", "Organizations"],
    ["/organizations/new", "new Organization"],
    [orgUrl, "Organization"],
    [`${orgUrl}/edit`, "edit Organization"],
    [`/organizations/group?o=${orgUrl.split("/").pop()}&name=${encodeURIComponent(`A11y Group ${u}`)}&target=&preview=1`, "group preview"],
    ["/no-such-page", "not found"],
  ];
  for (const [path, what] of pages) {
    await page.goto(path);
    await noViolations(page, info, what);
  }

  // The ⋮ menu open, then the mapping dialog.
  await page.goto(`/admin/microsoft-tenants?q=${encodeURIComponent(tenant)}`);
  // On a phone each row is a card: the name first, then each cell after its column's name.
  const cells = page.getByRole("row").filter({ hasText: tenant }).getByRole("cell");
  const before = (n: number) => cells.nth(n).evaluate((td) => {
    const s = getComputedStyle(td, "::before");
    return s.display === "none" ? "none" : s.content;
  });
  expect(await before(0)).toBe("none");
  expect(await before(1)).toBe(kind(info) === "mobile" ? '"Domain: "' : "none");
  // Focus is visible on whatever the keyboard reaches.
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press("Tab");
    const outline = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const s = getComputedStyle(el);
      return `${el.tagName} ${s.outlineStyle} ${s.outlineWidth}`;
    });
    expect(outline).toMatch(/ solid 3px$/);
  }
  await page.getByRole("button", { name: `Actions for ${tenant}` }).click();
  await expect(page.getByRole("menuitem", { name: "Map Syncro Tenant" })).toBeVisible();
  await noViolations(page, info, "row menu open");
  await page.getByRole("menuitem", { name: "Map Syncro Tenant" }).click();
  await expect(page.getByRole("dialog", { name: "Start Tenant Mapping" })).toBeVisible();
  await noViolations(page, info, "mapping dialog");
  // Its choices are touch targets: each at least 44 px tall.
  const option = page.getByRole("dialog").getByRole("option").first();
  expect((await option.boundingBox())?.height ?? 0).toBeGreaterThanOrEqual(44);
  // The header stays short on a phone, Sign out on one line.
  const header = await page.locator("header.top").boundingBox();
  expect(header?.height ?? 999).toBeLessThanOrEqual(64);
  const signOut = await page.getByRole("button", { name: "Sign out" }).boundingBox();
  expect(signOut?.height ?? 999).toBeLessThan(40);

  // A Syncro Tenant's page, and an error next to the form that caused it.
  await page.goto(orgUrl);
  await page.locator('main a[href^="/syncro-tenants/"]', { hasText: `A11y Org ${u}` }).first().click();
  await expect(page.getByRole("heading", { level: 1, name: `A11y Org ${u}` })).toBeVisible();
  await noViolations(page, info, "Syncro Tenant");
  await page.goto("/organizations/new");
  await page.getByLabel("Name", { exact: true }).fill(`A11y Org ${u}`);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("alert").first()).toBeVisible();
  await noViolations(page, info, "form with an error");
});

test("the sign-in page has no accessibility violations", async ({ browser }, info) => {
  test.skip(!jsEnabled(info), "axe runs as a script in the page");
  const context = await browser.newContext({ ...info.project.use, storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto("/sign-in");
  await noViolations(page, info, "sign-in");
  await page.getByLabel("Email").fill("nobody@e2e.example");
  await page.getByLabel("Password").fill("wrong password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await noViolations(page, info, "sign-in refused");
  await context.close();
});
