// `make bench`, Lighthouse: each URL as a phone sees it (Lighthouse's default mobile form factor
// and simulated throttling), signed in through an extra Cookie header, in Debian's Chromium.
// Prints JSON: per URL, the Performance, Accessibility and Best Practices scores (0-100), TBT,
// LCP and CLS, and the titles of the audits that failed.
//
//   node end2end/bench/lighthouse.mjs COOKIE_NAME=VALUE URL...
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";

const [cookie, ...urls] = process.argv.slice(2);
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
});
const out = [];
try {
  for (const url of urls) {
    const result = await lighthouse(url, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: ["performance", "accessibility", "best-practices"],
      extraHeaders: { Cookie: cookie },
    });
    const lhr = result.lhr;
    const score = (c) => Math.round((lhr.categories[c]?.score ?? 0) * 100);
    const failed = Object.values(lhr.audits)
      .filter((a) => a.score !== null && a.score < 0.9 && a.scoreDisplayMode !== "informative" && a.scoreDisplayMode !== "manual")
      .map((a) => `${a.id}: ${a.title}${a.displayValue ? ` (${a.displayValue})` : ""}`);
    out.push({
      url,
      finalUrl: lhr.finalDisplayedUrl,
      performance: score("performance"),
      accessibility: score("accessibility"),
      bestPractices: score("best-practices"),
      tbt: lhr.audits["total-blocking-time"].numericValue,
      lcp: lhr.audits["largest-contentful-paint"].numericValue,
      cls: lhr.audits["cumulative-layout-shift"].numericValue,
      fcp: lhr.audits["first-contentful-paint"].numericValue,
      failed,
      runtimeError: lhr.runtimeError?.message ?? null,
    });
  }
} finally {
  await chrome.kill();
}
console.log(JSON.stringify(out));
