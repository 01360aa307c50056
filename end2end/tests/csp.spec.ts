import { expect, test } from "@playwright/test";
import { createOrganization, jsEnabled, unique } from "./helpers";

// The Content-Security-Policy lets the islands load and run, and nothing on the pages breaks it.
test("pages hydrate under the Content-Security-Policy with no violation", async ({ page }, info) => {
  test.skip(!jsEnabled(info), "hydration needs JavaScript");
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      console.error(`Refused to ${e.violatedDirective}: ${e.blockedURI}`),
    );
  });
  // A page with a status line (its island sets a style through the CSSOM) and one with menus.
  await createOrganization(page, `CSP Org ${unique(info)}`);
  await expect(page.getByRole("status")).toContainText("Created CSP Org");
  for (const path of ["/admin/microsoft-tenants", "/organizations/new"]) {
    const res = await page.goto(path);
    expect(res?.headers()["content-security-policy"]).toContain("'wasm-unsafe-eval'");
    await page.waitForFunction(() => performance.getEntriesByName("tenantmap:interactive").length > 0);
  }
  expect(violations).toEqual([]);
});
