//! What a browser downloads on a first visit, measured as a browser does: a real Chromium visits
//! each page signed in with an empty cache (`end2end/bench/first-load.mjs`), recording every
//! asset it fetches; each asset is then sized as the server sends it with
//! `Accept-Encoding: br`. Also when the page's islands were hydrated, and that the ⋮ menu opens
//! and takes the arrow keys.

use serde_json::Value;
use std::collections::HashMap;

/// Budget for a page's first download (WASM + JS + CSS), brotli.
const BROTLI_BUDGET: usize = 150 * 1024;
/// Budget from navigation start to the islands hydrated (the ⋮ menu works), desktop Chromium.
const INTERACTIVE_BUDGET_MS: f64 = 500.0;

/// The first link of the page at `list` to `{list}{sep}` and an id (a details page, a dialog).
async fn first_details(
    client: &reqwest::Client,
    base: &str,
    list: &str,
    sep: &str,
) -> Option<String> {
    let html = client
        .get(format!("{base}{list}"))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    // As the HTML writes it (`&` as `&amp;`), and as a browser asks for it.
    let prefix = format!("href=\"{}{sep}", list.replace('&', "&amp;"));
    html.match_indices(&prefix)
        .map(|(at, _)| {
            html[at + 6..]
                .chars()
                .take_while(|c| *c != '"')
                .collect::<String>()
                .replace("&amp;", "&")
        })
        .find(|path| path.len() == list.len() + sep.replace("&amp;", "&").len() + 36)
}

/// Runs the browser over `paths` (signed in with `cookie`, or not with "-").
fn visit(base: &str, cookie: &str, paths: &[String]) -> Vec<Value> {
    let args = [&[base.to_string(), cookie.to_string()], paths].concat();
    match crate::node_json("first-load.mjs", &args) {
        Value::Array(pages) => pages,
        other => panic!("first-load.mjs: {other}"),
    }
}

/// Sizes `url` as the server sends it to a browser that accepts brotli.
async fn brotli_size(sizes: &mut HashMap<String, usize>, url: &str) -> usize {
    if let Some(n) = sizes.get(url) {
        return *n;
    }
    let res = reqwest::Client::new()
        .get(url)
        .header(http::header::ACCEPT_ENCODING, "br")
        .send()
        .await
        .unwrap();
    let n = res.bytes().await.unwrap().len();
    sizes.insert(url.to_string(), n);
    n
}

/// Counts toward the budget: what the page needs to run (WASM, JS, CSS).
fn is_code(url: &str) -> bool {
    let path = url.split('?').next().unwrap_or(url);
    [".wasm", ".js", ".css"].iter().any(|e| path.ends_with(e))
}

/// Prints every page's first download and the management page's assets; false when a budget
/// is missed.
/// Returns whether the budgets were met, and the Organization form's path (for Lighthouse).
pub async fn first_load(base: &str, cookie: &str) -> (bool, String) {
    let client = crate::pages::client(cookie);
    let mut paths: Vec<String> = [
        "/admin/microsoft-tenants",
        "/",
        "/admin",
        "/admin/users",
        "/admin/microsoft-integration",
        "/syncro-tenants",
        "/organizations",
        "/organizations/new",
    ]
    .map(String::from)
    .to_vec();
    for (list, sep) in [
        ("/organizations", "/"),
        ("/syncro-tenants", "/"),
        // The demo's first tenants by name are mapped: an unmapped one opens the dialog.
        ("/admin/microsoft-tenants?filter=unmapped", "&amp;map="),
    ] {
        let details = first_details(&client, base, list, sep).await;
        let details = details.unwrap_or_else(|| panic!("{list} links no details page"));
        if list == "/organizations" {
            paths.push(format!("{details}/edit"));
        }
        paths.push(details);
    }
    let form = paths
        .iter()
        .find(|p| p.ends_with("/edit"))
        .cloned()
        .unwrap();
    let mut visits = visit(base, cookie, &paths);
    visits.extend(visit(base, "-", &["/sign-in".to_string()]));

    println!(
        "First visit of each page, as Chromium fetches it (brotli bytes as sent with Accept-Encoding: br):"
    );
    let mut sizes = HashMap::new();
    let mut ok = true;
    for v in &visits {
        let path = v["path"].as_str().unwrap();
        assert_eq!(v["status"], 200, "{path}: {v}");
        let (mut code, mut other, mut files) = (0, 0, 0);
        let mut listing = Vec::new();
        for a in v["assets"].as_array().unwrap() {
            let url = a["url"].as_str().unwrap();
            let n = brotli_size(&mut sizes, url).await;
            files += 1;
            if is_code(url) {
                code += n;
            } else {
                other += n;
            }
            listing.push(format!("    {:<60} {:>8}", url.trim_start_matches(base), n));
        }
        let interactive = v["interactive"].as_f64();
        let menu = &v["menu"];
        let mut pass = code <= BROTLI_BUDGET && interactive.is_some();
        let mut notes = format!(
            "interactive {}",
            interactive.map_or("never".into(), |ms| format!("{ms:.0} ms"))
        );
        if !menu.is_null() {
            let works = menu["opened"] == true && menu["keys"] == true;
            pass &= works;
            notes.push_str(if works {
                ", ⋮ menu opens and takes keys"
            } else {
                ", ⋮ menu BROKEN"
            });
        }
        if path == "/admin/microsoft-tenants" {
            pass &= interactive.is_some_and(|ms| ms <= INTERACTIVE_BUDGET_MS);
            println!("  {path}: {files} files");
            for l in &listing {
                println!("{l}");
            }
        }
        ok &= pass;
        println!(
            "  {path:<60} code {code:>7} B  other {other:>6} B  {notes}  {}",
            crate::verdict(pass)
        );
    }
    println!(
        "  budgets: code (WASM + JS + CSS) ≤ {BROTLI_BUDGET} B brotli on every page; management page interactive ≤ {INTERACTIVE_BUDGET_MS} ms"
    );
    (ok, form)
}
