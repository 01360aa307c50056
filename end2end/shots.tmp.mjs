import { chromium, devices } from "@playwright/test";
const base = "http://127.0.0.1:3999";
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
for (const [kind, device] of [["desktop", { viewport: { width: 1280, height: 800 } }], ["pixel7", devices["Pixel 7"]]]) {
  const ctx = await browser.newContext({ ...device });
  const page = await ctx.newPage();
  await page.goto(base + "/sign-in");
  await page.getByLabel("Email").fill("admin@foggy-it.example");
  await page.getByLabel("Password").fill("foggy-demo-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(base + "/");
  const pages = process.argv.slice(2);
  for (const p of pages) {
    await page.goto(base + p);
    if (process.env.CLICK) { await page.locator("table.grid tbody a").first().click(); await page.waitForLoadState(); }
    await page.waitForTimeout(300);
    const name = p.replace(/[^a-z0-9]+/gi, "_");
    await page.screenshot({ path: `/tmp/shots/${kind}${name}.png`, fullPage: process.env.FULL === "1" });
    const h = await page.evaluate(() => ({ header: document.querySelector("header")?.getBoundingClientRect().height, doc: document.documentElement.scrollHeight }));
    console.log(kind, p, JSON.stringify(h));
  }
  await ctx.close();
}
await browser.close();
