import { expect, test } from "@playwright/test";
import { createOrganization, jsEnabled, unique } from "./helpers";

// Times are written in UTC by the server; with JavaScript the reader's own time follows each
// one (here a browser in New York, 4 or 5 hours behind), without it the UTC time stands alone.
test.use({ timezoneId: "America/New_York" });

test("a time shows the reader's own time beside UTC", async ({ page }, info) => {
  const name = `Local Time ${unique(info)}`;
  await createOrganization(page, name);
  await page.goto(`/admin/activity?q=${encodeURIComponent(name)}`);
  const when = page.getByRole("row").filter({ hasText: name }).first().locator('td[data-label="When"]');
  await expect(when).toContainText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
  const utc = /^(\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2}) UTC/.exec((await when.textContent()) ?? "")!;
  if (!jsEnabled(info)) {
    await expect(when).not.toContainText("your time");
    return;
  }
  // What the browser itself says of that instant in its zone.
  const at = new Date(`${utc[1]}T${utc[2]}:${utc[3]}:00Z`);
  const local = await page.evaluate((ms) => {
    const d = new Date(ms);
    const p = (n: number) => String(n).padStart(2, "0");
    return { date: `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`, time: `${p(d.getHours())}:${p(d.getMinutes())}` };
  }, at.getTime());
  const expected = local.date === utc[1] ? local.time : `${local.date} ${local.time}`;
  await expect(when).toHaveText(`${utc[0]} (${expected} your time)`);
});
