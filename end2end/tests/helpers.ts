import { expect, Page, TestInfo } from "@playwright/test";
import { randomUUID } from "node:crypto";

/** Created by the web server command in playwright.config.ts; signed in by auth.setup.ts. */
export const ADMIN = { email: "admin@e2e.example", password: "e2e admin password" };
export const TECH = { email: "tech@e2e.example", password: "e2e technician password" };

/** Which store the project's server runs on, and which browser kind it is (playwright.config.ts). */
export const store = (info: TestInfo): string => info.project.metadata.store;
export const kind = (info: TestInfo): string => info.project.metadata.kind;
/** The signed-in sessions the setup project of this project's server saved. */
export const adminState = (info: TestInfo) => `.auth/admin-${store(info)}.json`;
export const techState = (info: TestInfo) => `.auth/tech-${store(info)}.json`;

/** Signs in through the sign-in page (works with and without JavaScript). */
export async function signIn(page: Page, email: string, password: string) {
  if (!page.url().includes("/sign-in")) await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Admin > Users: adds a user with a role and a first password. */
export async function addUser(page: Page, email: string, role: "Technician" | "Administrator", password: string) {
  await page.goto("/admin/users");
  const form = page.getByRole("region", { name: "Add user" });
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Role").selectOption({ label: role });
  await form.getByLabel("First password").fill(password);
  await form.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByRole("row").filter({ hasText: email })).toBeVisible();
}

/** A suffix that keeps names unique across projects and runs sharing one server. */
export function unique(info: TestInfo): string {
  return `${info.project.name} ${randomUUID().slice(0, 8)}`;
}

export const jsEnabled = (info: TestInfo) => kind(info) !== "nojs";

/** With JavaScript, waits until the page is interactive (`tenantmap:interactive`: its islands
 * hydrated and its times shown in local time). Clicks on a row's link just after a mapping
 * once landed nowhere on a phone: the status line, said again for screen readers, moved the
 * page for 100 ms. It no longer does (S4 checks that nothing moves). */
export async function interactive(page: Page, info: TestInfo) {
  if (jsEnabled(info)) {
    await page.waitForFunction(() => performance.getEntriesByName("tenantmap:interactive").length > 0);
  }
}

/** From the next page on, records how far the page's layout moves (the browser's layout shifts,
 * those just after an input too: the click that posted the form counts as one for the page it
 * brings); `layoutShift` reads the total. */
export async function watchLayoutShifts(page: Page) {
  await page.addInitScript(() => {
    const w = window as unknown as { tenantmapShift: number };
    w.tenantmapShift = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as unknown as Array<{ value: number }>) w.tenantmapShift += e.value;
    }).observe({ type: "layout-shift", buffered: true });
  });
}

export async function layoutShift(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { tenantmapShift: number }).tenantmapShift);
}

/** Creates an Organization through the New Organization page; returns its details URL. */
export async function createOrganization(page: Page, name: string, syncroTenant?: string) {
  await page.goto("/organizations/new");
  await page.getByLabel("Name", { exact: true }).fill(name);
  await expect(page.getByRole("heading", { name: "ORGANIZATION SETTINGS" })).toBeVisible();
  if (syncroTenant) {
    await page.getByLabel("Syncro Tenant", { exact: true }).selectOption({ label: syncroTenant });
  }
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(/\/organizations\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  return page.url();
}

/** Imports Microsoft Tenants through the CSV box of the import page. */
export async function importTenants(page: Page, rows: Array<[string, string, string]>) {
  await page.goto("/admin/microsoft-tenants/import");
  const csv = ["tenantId,displayName,defaultDomainName", ...rows.map((r) => r.join(","))].join("\n");
  const section = page.getByRole("region", { name: "Microsoft Tenants" });
  await section.getByLabel("CSV", { exact: true }).fill(csv);
  await section.getByRole("button", { name: "Import tenants" }).click();
  await expect(page.getByRole("status")).toContainText(`Added ${rows.length}, updated 0, rejected 0.`);
}

export function guid(): string {
  return randomUUID();
}

/** Opens the ⋮ menu of a Microsoft Tenant and chooses an item. */
export async function chooseRowAction(page: Page, tenantName: string, item: string) {
  await page.getByRole("button", { name: `Actions for ${tenantName}` }).click();
  await page.getByRole("menuitem", { name: item }).click();
}
