import { expect, test } from "@playwright/test";
import { createOrganization, unique } from "./helpers";

// An End User added and edited by hand: the form's seven fields post together (one
// `EndUserForm` on the server), a refused form comes back as typed, and the person's page shows
// what was saved — with JavaScript (the form posts from the page) and without (a plain post).
test("Add End User by hand: refused, fixed, saved, then edited with a pin", async ({ page }, info) => {
  const u = unique(info);
  const org = `Hand Dental ${u}`;
  const orgUrl = await createOrganization(page, org);
  const email = `pat.${u.replace(/[^a-z0-9]/gi, "")}@hand.example`.toLowerCase();
  const field = (label: string) => page.getByLabel(label, { exact: true });
  const row = (label: string) => page.getByRole("row", { name: new RegExp(`^${label}\\b`) });

  await page.goto(`${orgUrl}/end-users`);
  await expect(page.getByText("No active End Users yet.")).toBeVisible();
  await page.getByRole("link", { name: "Add End User" }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Add End User to ${org}` })).toBeVisible();
  await field("Name").fill("Pat Hand");
  // The browser lets this through; the server refuses it.
  await field("Email").fill("pat@hand");
  await field("Other emails").fill("p.hand@hand.example, pat.hand@hand.example");
  await field("Job title").fill("Office Manager");
  await field("Office location").fill("Boston");
  await field("Phone").fill("+1 617 555 0100");
  await page.getByRole("button", { name: "Save" }).click();

  await expect(page.getByRole("alert").filter({ hasText: "problem" })).toBeVisible();
  await expect(field("Email")).toHaveAttribute("aria-invalid", "true");
  await expect(field("Name")).toHaveValue("Pat Hand");
  await expect(field("Email")).toHaveValue("pat@hand");
  await expect(field("Other emails")).toHaveValue("p.hand@hand.example, pat.hand@hand.example");
  await expect(field("Job title")).toHaveValue("Office Manager");
  await expect(field("Office location")).toHaveValue("Boston");
  await expect(field("Phone")).toHaveValue("+1 617 555 0100");

  await field("Email").fill(email);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(/\/end-users\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1, name: "Pat Hand" })).toBeVisible();
  await expect(row("Email")).toContainText(email);
  await expect(row("Other emails")).toContainText("p.hand@hand.example");
  await expect(row("Other emails")).toContainText("pat.hand@hand.example");
  await expect(row("Job title")).toContainText("Office Manager");
  await expect(row("Office location")).toContainText("Boston");
  await expect(row("Phone")).toContainText("+1 617 555 0100");

  // Edited: a department added and pinned, the job title changed.
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await expect(field("Job title")).toHaveValue("Office Manager");
  await field("Job title").fill("Practice Manager");
  await field("Department").fill("Front Desk");
  await page.getByLabel("Pin department: a sync never changes it").check();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(/\/end-users\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("status").filter({ hasText: "Saved Pat Hand." })).toBeVisible();
  await expect(row("Job title")).toContainText("Practice Manager");
  await expect(row("Department")).toContainText("Front Desk");
  await expect(row("Department")).toContainText("pinned");
  await expect(row("Email")).toContainText(email);

  // Listed under the Organization.
  await page.goto(`${orgUrl}/end-users`);
  await expect(page.getByRole("link", { name: "Pat Hand" })).toBeVisible();
});
