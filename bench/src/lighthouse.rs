//! Lighthouse (npm `lighthouse` 12.2.3, `end2end/bench/lighthouse.mjs`) in Debian's Chromium on a
//! phone (its default mobile form factor and simulated slow 4G and CPU), signed in: the
//! management page at SPEC scale and the Organization form. Budgets: Performance ≥ 95,
//! Accessibility 100, Best Practices 100.

use serde_json::Value;

const PERFORMANCE: i64 = 95;

/// Prints each page's scores, TBT, LCP and CLS; false when a budget is missed.
pub fn phone(base: &str, cookie: &str, paths: &[String]) -> bool {
    let args: Vec<String> = std::iter::once(cookie.to_string())
        .chain(paths.iter().map(|p| format!("{base}{p}")))
        .collect();
    let Value::Array(results) = crate::node_json("lighthouse.mjs", &args) else {
        panic!("lighthouse.mjs prints a list");
    };
    println!(
        "\nLighthouse 12.2.3, mobile (budgets: Performance ≥ {PERFORMANCE}, Accessibility 100, Best Practices 100):"
    );
    let mut ok = true;
    for (r, path) in results.iter().zip(paths) {
        let n = |k: &str| r[k].as_i64().unwrap_or(0);
        let ms = |k: &str| r[k].as_f64().unwrap_or(f64::NAN);
        let pass = r["runtimeError"].is_null()
            && r["finalUrl"].as_str() == Some(&format!("{base}{path}"))
            && n("performance") >= PERFORMANCE
            && n("accessibility") == 100
            && n("bestPractices") == 100;
        ok &= pass;
        println!(
            "  {path:<60} Performance {:>3}  Accessibility {:>3}  Best Practices {:>3}  TBT {:.0} ms  LCP {:.0} ms  CLS {:.3}  {}",
            n("performance"),
            n("accessibility"),
            n("bestPractices"),
            ms("tbt"),
            ms("lcp"),
            ms("cls"),
            crate::verdict(pass)
        );
        for failed in r["failed"].as_array().into_iter().flatten() {
            println!("      {}", failed.as_str().unwrap_or_default());
        }
        if let Some(e) = r["runtimeError"].as_str() {
            println!("      {e}");
        }
    }
    ok
}
