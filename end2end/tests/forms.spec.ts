import { expect, test } from "@playwright/test";
import { interactive, unique } from "./helpers";

// A refused form comes back as it was left: every problem at once in a summary at the top
// (focused, and in the first screen), each value as typed; fixed, it saves.
test("New Organization with several bad fields keeps what was typed", async ({ page }, info) => {
  const name = `Forms Dental ${unique(info)}`;
  // Four values the browser lets through and the server refuses.
  const long = "N".repeat(121);
  await page.goto("/organizations/new");
  await page.getByLabel("Name", { exact: true }).fill(long);
  await page.getByLabel("Email").fill("office@forms");
  await page.getByLabel("Phone").fill("call me");
  await page.getByLabel("Website").fill("forms dental");
  await page.getByLabel("Address").fill("1 Main St\nSuite 2");
  await page.getByRole("button", { name: "Save" }).click();

  const summary = page.getByRole("alert").filter({ hasText: "There are 4 problems" });
  await expect(summary).toBeVisible();
  await expect(summary.getByRole("link")).toHaveText([
    "Name is 121 characters long; the limit is 120",
    "Enter an email address like office@example.com",
    "Use digits, spaces and + - ( ) only, up to 40 characters",
    "Enter a website like foggyit.com or https://www.foggyit.com",
  ]);
  // Focused and in view, on a desktop and on a phone.
  if (info.project.metadata.kind !== "nojs") await expect(summary).toBeFocused();
  const box = await summary.boundingBox();
  const viewport = page.viewportSize()!;
  expect(box!.y).toBeGreaterThanOrEqual(-2);
  expect(box!.y + 40).toBeLessThan(viewport.height);
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue(long);
  await expect(page.getByLabel("Email")).toHaveValue("office@forms");
  await expect(page.getByLabel("Phone")).toHaveValue("call me");
  await expect(page.getByLabel("Website")).toHaveValue("forms dental");
  await expect(page.getByLabel("Address")).toHaveValue("1 Main St\nSuite 2");
  await expect(page.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");

  // The summary's link takes the user to the field.
  await summary.getByRole("link", { name: "Enter an email address like office@example.com" }).click();
  await expect(page).toHaveURL(/#f-email$/);

  // Fixed: saved.
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Email").fill("office@forms.example");
  await page.getByLabel("Phone").fill("+1 617 555 0100");
  await page.getByLabel("Website").fill("forms.example");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(/\/organizations\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page.getByRole("status")).toHaveText(`Created ${name}.`);
});

// The browser's own checks would stop a post at the first bad field with a tooltip: the forms
// the server validates say `novalidate`, so one Save shows every problem at once.
test("A bad email and a bad website are both shown after one Save", async ({ page }, info) => {
  await page.goto("/organizations/new");
  await page.getByLabel("Name", { exact: true }).fill(`Novalidate Dental ${unique(info)}`);
  await page.getByLabel("Email").fill("not an email");
  await page.getByLabel("Website").fill("not a website");
  await page.getByRole("button", { name: "Save" }).click();
  const summary = page.getByRole("alert").filter({ hasText: "There are 2 problems" });
  await expect(summary).toBeVisible();
  await expect(summary.getByRole("link")).toHaveText([
    "Enter an email address like office@example.com",
    "Enter a website like foggyit.com or https://www.foggyit.com",
  ]);
  await expect(page.getByLabel("Email")).toHaveValue("not an email");
});

// Two tabs edit one Organization. B saves a phone; A's save is refused (a bad email), fixed and
// saved again: stale, since B saved after A opened the form. The form comes back with B's phone
// (A never touched it) and A's address, and saving it keeps both.
test("A save after a refused one never erases a colleague's change", async ({ page }, info) => {
  const name = `Two Tabs Dental ${unique(info)}`;
  await page.goto("/organizations/new");
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(/\/organizations\/[0-9a-f-]{36}$/);
  const edit = `${new URL(page.url()).pathname}/edit`;
  await page.goto(edit);
  await interactive(page, info);

  const b = await page.context().newPage();
  await b.goto(edit);
  await b.getByLabel("Phone").fill("+1 617 555 0100");
  await b.getByRole("button", { name: "Save" }).click();
  await expect(b.getByRole("status")).toHaveText(`Saved ${name}.`);
  await b.close();

  await page.getByLabel("Address").fill("2 Elm St");
  await page.getByLabel("Email").fill("billing@");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "There is a problem" })).toBeVisible();
  await expect(page.getByLabel("Address")).toHaveValue("2 Elm St");
  await page.getByLabel("Email").fill("billing@two-tabs.example");
  await page.getByRole("button", { name: "Save" }).click();

  await expect(page.getByText(`Someone else saved this Organization after you opened it`)).toBeVisible();
  await expect(page.getByLabel("Phone")).toHaveValue("+1 617 555 0100");
  await expect(page.getByLabel("Address")).toHaveValue("2 Elm St");
  await expect(page.getByLabel("Email")).toHaveValue("billing@two-tabs.example");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toHaveText(`Saved ${name}.`);
  const facts = page.locator("dl.facts");
  await expect(facts).toContainText("+1 617 555 0100");
  await expect(facts).toContainText("2 Elm St");
  await expect(facts).toContainText("billing@two-tabs.example");
});
