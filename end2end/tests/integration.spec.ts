import { expect, test } from "@playwright/test";
import { ADMIN, createOrganization, interactive, jsEnabled, signIn, unique } from "./helpers";

// The fake Microsoft's partner and app registration (server/src/fake_microsoft.rs).
const PARTNER_TENANT = "0a0a0a0a-0000-4000-8000-000000000001";
const CLIENT_ID = "c1c1c1c1-0000-4000-8000-000000000002";
const CLIENT_SECRET = "fake~secret.Value-0123456789";

// Each project has its own account (playwright.config.ts), so connecting and syncing here
// never changes what the other tests see.
test.use({ storageState: { cookies: [], origins: [] } });

test("day one: connect as CSP, Sync Now, map a discovered tenant (S1)", async ({ page }, info) => {
  const email = `csp-${info.project.name}@e2e.example`;
  await page.goto("/sign-in");
  await signIn(page, email, ADMIN.password);
  await expect(page.getByText(email)).toBeVisible();

  await page.goto("/admin");
  await page.getByRole("link", { name: /RMM Settings - Microsoft Tenant Integrations/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "RMM Settings - Microsoft Tenant Integrations" })).toBeVisible();
  const connect = page.getByRole("region", { name: "Connect to Microsoft" });
  await connect.getByLabel(/Cloud Solution Provider/).check();
  await connect.getByLabel("Directory (tenant) ID").fill(PARTNER_TENANT);
  await connect.getByLabel("Application (client) ID").fill(CLIENT_ID);

  // A wrong secret: Microsoft's refusal, explained, and nothing saved.
  await connect.getByLabel("Client secret (its Value)").fill("the secret ID, not its value");
  await connect.getByRole("button", { name: "Connect" }).click();
  // The summary of the refused form says why, the IDs as typed (the secret typed again).
  await expect(page.getByRole("alert")).toContainText("Microsoft refused the client secret");
  await expect(connect.getByLabel("Directory (tenant) ID")).toHaveValue(PARTNER_TENANT);
  await expect(connect.getByLabel("Client secret (its Value)")).toHaveValue("");
  if (!jsEnabled(info)) await page.goto("/admin/microsoft-integration");
  await expect(page.getByRole("heading", { name: /Connected as/ })).toHaveCount(0);

  const form = page.getByRole("region", { name: "Connect to Microsoft" });
  await form.getByLabel(/Cloud Solution Provider/).check();
  await form.getByLabel("Directory (tenant) ID").fill(PARTNER_TENANT);
  await form.getByLabel("Application (client) ID").fill(CLIENT_ID);
  await form.getByLabel("Client secret (its Value)").fill(CLIENT_SECRET);
  await form.getByRole("button", { name: "Connect" }).click();
  await expect(page.getByRole("heading", { name: "Connected as Cloud Solution Provider (CSP)" })).toBeVisible();
  await expect(page.getByText(CLIENT_SECRET)).toHaveCount(0);

  // Sync Now starts a job on the server and the page shows its progress, then its report: live
  // with JavaScript, by reloading without.
  await page.getByRole("button", { name: "Sync Now" }).click();
  const last = page.getByRole("region", { name: "Last sync" });
  const synced = "6 added, 0 updated, 0 removed by Microsoft.";
  if (jsEnabled(info)) {
    await expect(last).toContainText(synced);
  } else {
    await expect(async () => {
      await page.reload();
      await expect(last).toContainText(synced, { timeout: 500 });
    }).toPass({ timeout: 15_000 });
  }
  await expect(page.getByRole("button", { name: "Sync Now" })).toBeVisible();
  await expect(last.getByRole("row").filter({ hasText: "Northwind Traders" })).toContainText("No consent");
  await expect(last.getByRole("row").filter({ hasText: "Tailspin Toys" })).toContainText("GDAP relationship expired");

  // S1 with a tenant Microsoft reported: the customer's current name, not the contract's.
  const stName = `Contoso Dental ${unique(info)}`;
  await createOrganization(page, stName);
  await page.goto(`/admin/microsoft-tenants?q=${encodeURIComponent("Contoso Group")}`);
  const row = page.getByRole("row").filter({ hasText: "Contoso Group" });
  await expect(row).toContainText("contoso.onmicrosoft.com");
  await page.getByRole("button", { name: "Actions for Contoso Group" }).click();
  await page.getByRole("menuitem", { name: "Map Syncro Tenant" }).click();
  const dialog = page.getByRole("dialog", { name: "Start Tenant Mapping" });
  await dialog.getByLabel("Find a Syncro Tenant").fill(stName);
  if (!jsEnabled(info)) await dialog.getByRole("button", { name: "Filter" }).click();
  await dialog.getByLabel("Syncro Tenant", { exact: true }).selectOption({ label: stName });
  await dialog.getByRole("button", { name: "Start Tenant Mapping" }).click();
  await expect(page.getByRole("status")).toContainText(`Mapped Contoso Group to ${stName}.`);
  await interactive(page, info);
  await row.getByRole("link", { name: stName }).click();

  // Sync Now from the Syncro Tenant details page keeps the mapping.
  await expect(page.getByRole("heading", { level: 1, name: stName })).toBeVisible();
  const tenant = page.getByRole("region", { name: "Microsoft Tenant" });
  await tenant.getByRole("button", { name: "Sync Now" }).click();
  await expect(page.getByRole("heading", { level: 1, name: stName })).toBeVisible();
  await expect(tenant.getByRole("link", { name: "Contoso Group" })).toBeVisible();
  await expect(tenant).toContainText("GDAP until 2027-06-30 00:00 UTC, extends itself");
  await expect(tenant.getByRole("alert")).toHaveCount(0);

  // Suggestions: an Organization whose email is on a verified domain of Fabrikam, and one named
  // like Woodgrove Bank, are suggested with high confidence and the reason; accepting all of
  // them maps both in one step.
  await createOrganization(page, "Fabrikam Events");
  await page.getByRole("link", { name: "Edit" }).click();
  await page.getByLabel("Email").fill("office@fabrikam.com");
  await page.getByLabel("Website").fill("https://www.fabrikam-events.net/contact");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Fabrikam Events" })).toBeVisible();
  await expect(page.getByRole("link", { name: "fabrikam-events.net" })).toBeVisible();
  await createOrganization(page, "Woodgrove Bank, Inc.");
  // Two offices of Litware, each its own Syncro Tenant: one suggestion to group and map them.
  await createOrganization(page, "Litware - Boston");
  await createOrganization(page, "Litware - Denver");
  // Two look-alikes of Northwind Traders: an uncertain suggestion, with the other beside it.
  await createOrganization(page, "Northwind Traders Boston");
  await createOrganization(page, "Northwind Traders Denver");

  await page.goto("/admin/microsoft-tenants?filter=unmapped");
  const fabrikamRow = page.getByRole("row").filter({ hasText: "Fabrikam" });
  await expect(fabrikamRow).toContainText("2 more verified domains");
  await expect(page.getByRole("link", { name: "Suggestions" })).toBeVisible();
  // The integration page says what is waiting after the sync, and leads there.
  await page.goto("/admin/microsoft-integration");
  const ready = page.getByRole("region", { name: "Last sync" });
  await expect(ready).toContainText(/\b3 high-confidence suggestions ready, 1 more to review\./);
  await ready.getByRole("link", { name: "Review the suggestions" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Suggested mappings" })).toBeVisible();
  const suggested = page.getByRole("row").filter({ hasText: "Fabrikam Events" });
  await expect(suggested).toContainText("High");
  await expect(suggested).toContainText("is a domain of Organization “Fabrikam Events”");
  const woodgrove = page.getByRole("row").filter({ hasText: "Woodgrove Bank, Inc." });
  await expect(woodgrove).toContainText("Same name as “Woodgrove Bank, Inc.”");
  const offices = page.getByRole("row").filter({ hasText: "Offices of one customer" });
  await expect(offices).toContainText("Group 2 Organizations under one Syncro Tenant named Litware, and map it:");
  await expect(offices.getByRole("listitem")).toHaveText([
    "Litware - Boston — kept, and renamed",
    "Litware - Denver — its Organizations move, then it is deleted",
  ]);
  await expect(offices).toContainText("High");
  await page.getByLabel("Group 2 offices under Litware and map Litware to it").check();
  await page.getByRole("button", { name: "Accept selected" }).click();
  // Grouping renames and deletes Syncro Tenants: asked first, with its counts; nothing done yet.
  const confirm = page.getByRole("alert").filter({ has: page.getByRole("heading", { name: "Group these offices and map them?" }) });
  await expect(confirm).toContainText(
    "This maps 1 Microsoft Tenant and groups 1 customer's offices under one Syncro Tenant each: it renames 1 Syncro Tenant and deletes 1 Syncro Tenant. Undo puts them back.",
  );
  await expect(page.getByRole("row").filter({ hasText: "Offices of one customer" })).toHaveCount(1);
  await confirm.getByRole("button", { name: "Yes, map and group" }).click();
  await expect(page.getByText("Mapped 1 Microsoft Tenant.").first()).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: "Offices of one customer" })).toHaveCount(0);
  // The uncertain one, on the All tab: the other look-alike picked in place.
  await page.getByRole("link", { name: /^All \(/ }).click();
  const pick = page.getByLabel("Map Northwind Traders to");
  await expect(pick.locator("option")).toHaveText(["Not now", "Northwind Traders Boston", "Northwind Traders Denver"]);
  await pick.selectOption({ label: "Northwind Traders Denver" });
  await page.getByRole("button", { name: "Accept selected" }).click();
  await expect(page.getByText("Mapped 1 Microsoft Tenant.").first()).toBeVisible();
  await expect(page.getByLabel("Map Northwind Traders to")).toHaveCount(0);
  // The rest of the page at once: select all, accept.
  await page.getByRole("link", { name: "Select all on this page" }).click();
  await expect(page.getByLabel(/^Map Fabrikam.* to Fabrikam Events$/)).toBeChecked();
  await page.getByRole("button", { name: "Accept selected" }).click();
  await expect(page.getByText("Mapped 2 Microsoft Tenants.").first()).toBeVisible();
  await page.goto("/admin/microsoft-tenants?filter=mapped");
  await expect(page.getByRole("row").filter({ hasText: "fabrikam.onmicrosoft.com" }).getByRole("link", { name: "Fabrikam Events" })).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: "woodgrove.onmicrosoft.com" }).getByRole("link", { name: "Woodgrove Bank, Inc." })).toBeVisible();
  await interactive(page, info);
  await page.getByRole("row").filter({ hasText: "litware.onmicrosoft.com" }).getByRole("link", { name: "Litware", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Litware" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Litware - Boston" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Litware - Denver" })).toBeVisible();
  await page.goto("/admin/microsoft-tenants?filter=mapped");
  await expect(page.getByRole("row").filter({ hasText: "Northwind Traders" }).getByRole("link", { name: "Northwind Traders Denver" })).toBeVisible();

  // Map the rest: the tenants no suggestion covers, typed in one form and saved at once; a
  // mistyped one comes back as typed, with the name it was near.
  await createOrganization(page, "TT Corporate");
  await page.goto("/admin/microsoft-tenants/suggestions");
  await page.getByRole("link", { name: "Map the rest" }).first().click();
  await expect(page.getByRole("heading", { level: 1, name: "Map the rest" })).toBeVisible();
  await page.getByLabel("Tailspin Toys").fill("TT Corprate");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Nothing mapped: 1 not mapped, see the rows below.")).toBeVisible();
  await expect(page.getByLabel("Tailspin Toys")).toHaveValue("TT Corprate");
  await expect(page.getByText('No Syncro Tenant "TT Corprate": did you mean "TT Corporate"?')).toBeVisible();
  await page.getByLabel("Tailspin Toys").fill("TT Corporate");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Mapped 1 Microsoft Tenant.", { exact: true })).toBeVisible();
  await expect(page.getByText(/^Nothing left here/)).toBeVisible();
});
