// `make bench`, the administrator on the book: someone who knows each tenant's right Syncro
// Tenant maps a CSP partner's book on day one by the cheapest honest path the UI offers, in a
// real Chromium (desktop), and downloads Export CSV. Every click, choice in a list (two clicks:
// open, choose), typed field and page load is counted. Prints JSON: the counts, the steps
// taken, the wall time, and the exported file (the bench checks it against the answers).
//
//   node end2end/bench/admin.mjs BASE EMAIL PASSWORD PARTNER_TENANT CLIENT_ID SECRET ANSWERS
//
// ANSWERS: a JSON file, per Microsoft Tenant ID the names of the Syncro Tenants that are its
// answer (one; the offices to group; none when it is no customer).
import { chromium } from "@playwright/test";
import { readFileSync } from "node:fs";

const [base, email, password, partner, client, secret, answersFile] = process.argv.slice(2);
const answers = JSON.parse(readFileSync(answersFile, "utf8"));
const count = { clicks: 0, picks: 0, typed: 0, loads: 0, checkClicks: 0 };
const steps = [];
const started = Date.now();

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic"],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptsDownloads: true });
const page = await context.newPage();
page.setDefaultTimeout(30_000);
page.on("framenavigated", (f) => { if (f === page.mainFrame()) count.loads++; });

const step = (what) => steps.push(`${what} (clicks so far ${count.clicks})`);
const click = async (locator) => { await locator.click(); count.clicks++; };
const tick = async (locator) => { await locator.check(); count.clicks++; };
const type = async (locator, text) => { await locator.fill(text); count.typed++; };
const choose = async (locator, label) => { await locator.selectOption({ label }); count.clicks += 2; count.picks++; };
const waitFor = async (locator, timeout = 30_000) => locator.first().waitFor({ state: "visible", timeout });

// Sign in; Home's checklist leads to connecting Microsoft.
await page.goto(`${base}/sign-in`);
await type(page.getByLabel("Email"), email);
await type(page.getByLabel("Password"), password);
await click(page.getByRole("button", { name: "Sign in" }));
await click(page.getByRole("link", { name: /^Connect Microsoft/ }));
step("signed in, Home → Connect Microsoft");

await tick(page.getByLabel(/Cloud Solution Provider/));
await type(page.getByLabel("Directory (tenant) ID"), partner);
await type(page.getByLabel("Application (client) ID"), client);
await type(page.getByLabel("Client secret (its Value)"), secret);
await click(page.getByRole("button", { name: "Connect" }));
await click(page.getByRole("button", { name: "Sync Now" }));
const ready = page.getByRole("region", { name: "Last sync" }).getByRole("link", { name: "Review the suggestions" });
await waitFor(ready, 120_000);
const said = (await page.getByRole("region", { name: "Last sync" }).innerText()).match(/[^.\n]*suggestions? ready[^.\n]*/);
step(`connected as CSP, synced: ${said ? said[0].trim() : "(no count shown)"}`);
await click(ready);

// Every high-confidence suggestion at once.
const all = page.getByRole("button", { name: /^Accept all with high confidence/ });
await waitFor(all);
const allLabel = await all.innerText();
await click(all);
await waitFor(page.getByRole("status").filter({ hasText: /Mapped \d+ Microsoft Tenant/ }), 60_000);
step(`${allLabel}: ${(await page.getByRole("status").first().innerText()).split("\n")[0]}`);

/** The Suggestions rows on the page: the control's id and kind, the tenant, what is offered. */
async function rows() {
  return page.$$eval("table tbody tr", (trs) => trs.map((tr) => {
    const control = tr.querySelector("td[data-label='Accept'] input, td[data-label='Accept'] select");
    const cell = tr.querySelector("td[data-label='Suggested Syncro Tenant']");
    const offices = [...cell.querySelectorAll("li a")].map((a) => a.textContent.trim());
    return {
      id: control?.id ?? "",
      select: control?.tagName === "SELECT",
      options: control?.tagName === "SELECT" ? [...control.options].map((o) => o.textContent.trim()) : [],
      suggested: offices.length ? null : cell.querySelector("a")?.textContent.trim(),
      offices,
    };
  }));
}

// What is left: each row the answer is offered for is ticked, or picked in place.
const allTab = page.getByRole("link", { name: /^All \(/ });
if ((await allTab.count()) > 0 && (await allTab.getAttribute("aria-current")) !== "page" && !/^All \(0\)/.test(await allTab.innerText())) {
  await click(allTab);
  await waitFor(page.getByRole("heading", { level: 1, name: "Suggested mappings" }));
}
let chosen = 0;
for (const row of await rows()) {
  const tenant = row.id.replace(/^pick-/, "");
  const answer = answers[tenant] ?? [];
  const control = page.locator(`[id="${row.id}"]`);
  if (row.select && answer.length === 1 && row.options.includes(answer[0])) {
    await choose(control, answer[0]);
    chosen++;
  } else if (!row.select && row.offices.length === 0 && answer.length === 1 && row.suggested === answer[0]) {
    await tick(control);
    chosen++;
  } else if (!row.select && row.offices.length > 0 && answer.length === row.offices.length && row.offices.every((o) => answer.includes(o))) {
    await tick(control);
    chosen++;
  }
}
if (chosen > 0) {
  await click(page.getByRole("button", { name: "Accept selected" }));
  await waitFor(page.getByRole("status").filter({ hasText: /Mapped \d+ Microsoft Tenant/ }), 60_000);
  step(`${chosen} more picked or ticked in place, Accept selected`);
}

// Tenants no suggestion covers: their Syncro Tenant typed on Map the rest, one Save.
await click(page.getByRole("link", { name: "Map the rest" }).first());
await waitFor(page.getByRole("heading", { level: 1, name: "Map the rest" }));
const boxes = await page.$$eval("input[name='choices[]']", (inputs) => inputs.map((i) => i.id));
let typed = 0;
for (const id of boxes) {
  const answer = answers[id.replace(/^choice-/, "")] ?? [];
  if (answer.length === 1) {
    await type(page.locator(`[id="${id}"]`), answer[0]);
    typed++;
  }
}
if (typed > 0) {
  await click(page.getByRole("button", { name: "Save" }));
  await waitFor(page.getByText(/Mapped \d+ Microsoft Tenant|not mapped/), 60_000);
  step(`Map the rest: ${typed} typed of ${boxes.length} listed, Save`);
} else {
  step(`Map the rest: nothing to type (${boxes.length} listed)`);
}
const seconds = (Date.now() - started) / 1000;

// The check, not part of the mapping: Export CSV from Microsoft Tenant Management.
const mapping = { ...count };
await page.getByRole("link", { name: "RMM Settings - Microsoft Tenant Management" }).first().click();
const [download] = await Promise.all([
  page.waitForEvent("download"),
  page.getByRole("link", { name: "Export CSV" }).click(),
]);
mapping.checkClicks = 2;
const csv = readFileSync(await download.path(), "utf8");
await browser.close();
console.log(JSON.stringify({ count: mapping, steps, seconds, csv }));
