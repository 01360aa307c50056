// `make bench`, first load: a real Chromium visit of each page, signed in, with an empty cache.
// Prints JSON: per page, every asset the browser fetched (URL, type), when the page's islands
// were hydrated (the `tenantmap:interactive` mark, ms after navigation start), and on pages
// with a ⋮ menu whether it opened and took the arrow key. The bench sizes the assets itself,
// as the server sends them with `Accept-Encoding: br`.
//
//   node end2end/bench/first-load.mjs BASE_URL COOKIE_NAME=VALUE PATH...
import { chromium } from "@playwright/test";

const [base, cookie, ...paths] = process.argv.slice(2);
const [name, value] = cookie.split(/=(.*)/s);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic"],
});
const pages = [];
for (const path of paths) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  if (value) await context.addCookies([{ name, value, url: base }]);
  const page = await context.newPage();
  const assets = [];
  page.on("response", (r) => {
    const type = r.request().resourceType();
    if (type !== "document") assets.push({ url: r.url(), type, status: r.status() });
  });
  const response = await page.goto(base + path, { waitUntil: "networkidle" });
  const interactive = await page
    .waitForFunction(() => performance.getEntriesByName("tenantmap:interactive")[0]?.startTime, null, { timeout: 10_000 })
    .then((h) => h.jsonValue())
    .catch(() => null);
  let menu = null;
  const summary = page.locator("details.menu > summary").first();
  const dialog = await page.locator('[role="dialog"]').count();
  if (dialog === 0 && (await summary.count()) > 0) {
    await summary.click();
    const item = page.locator('details.menu[open] [role="menuitem"]').first();
    const opened = await item.isVisible();
    await page.keyboard.press("ArrowDown");
    const keys = await item.evaluate((el) => el === document.activeElement);
    menu = { opened, keys };
  }
  pages.push({ path, status: response.status(), url: page.url(), assets, interactive, menu });
  await context.close();
}
await browser.close();
console.log(JSON.stringify(pages));
