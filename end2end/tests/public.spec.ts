import { expect, test } from "@playwright/test";

// public/: served to anyone, signed in or not, and named by every page's head.
test.use({ storageState: { cookies: [], origins: [] } });

test("the icons, the web app manifest and robots.txt are public", async ({ page, request }) => {
  const robots = await request.get("/robots.txt");
  expect(robots.status()).toBe(200);
  expect(await robots.text()).toContain("Disallow: /");

  const manifest = await request.get("/manifest.webmanifest");
  expect(manifest.status()).toBe(200);
  const app = await manifest.json();
  expect(app).toMatchObject({ name: "tenantmap", display: "standalone", start_url: "/", theme_color: "#16233a" });
  for (const icon of app.icons) {
    const res = await request.get(icon.src);
    expect(res.status(), icon.src).toBe(200);
    expect(res.headers()["content-type"], icon.src).toBe(icon.type);
  }

  await page.goto("/sign-in");
  await expect(page.locator('link[rel="manifest"]')).toHaveAttribute("href", "/manifest.webmanifest");
  await expect(page.locator('link[rel="icon"]')).toHaveAttribute("href", "/favicon.svg");
  await expect(page.locator('meta[name="theme-color"]')).toHaveAttribute("content", "#16233a");
});
