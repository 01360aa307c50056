//! The DynamoDB store on moto: the DynamoDB requests and capacity units of every page and
//! action (the figures that carry over to AWS — moto's own speed does not), what a cold instance
//! reads to load an account, the cost table, and for orientation the time per page through moto.

use crate::pages::{self, PAGES};
use leptos::config::LeptosOptions;
use std::sync::Arc;
use std::time::Instant;

/// A warm page view at SPEC scale: at most this many requests and read units.
pub const PAGE_REQUESTS: u32 = 5;
pub const PAGE_READ_UNITS: f64 = 10.0;
/// An activity page at most: a search that matches nothing looks through `ACTIVITY_SCAN`
/// entries, `ACTIVITY_BATCH` per Query (10), plus the session and the users (the person
/// filter); strongly consistent reads (an Administrator who just pressed Undo sees it) of
/// ~0.7 KB entries: measured 14 requests and 184 read units (≈ $0.000023 at on-demand prices).
pub const ACTIVITY_REQUESTS: u32 = 14;
pub const ACTIVITY_READ_UNITS: f64 = 200.0;
/// Most read requests a change may make (one write request always).
pub const CHANGE_READS: u32 = 8;

/// The load of `load.rs` on the DynamoDB store, on a table of its own at a smaller scale
/// (`BENCH_LOAD_DYNAMODB_ORGS`, default 300 Organizations and half as many Microsoft
/// Tenants): moto scans the whole table for every Query (a list catching up with a change
/// reads the change log with one) and answers one request at a time, so at 1,000
/// Organizations 50 clients made ~70 requests a minute and at SPEC scale they queue for minutes
/// on moto itself. At 300 they make hundreds, ~1/3 of them changes: enough to race for the
/// account's list generation. What it measures is moto's queue, so there is no latency
/// budget: no 5xx, and R1–R3 at the end.
pub async fn load(options: LeptosOptions) -> bool {
    let orgs = crate::scale("BENCH_LOAD_DYNAMODB_ORGS", 300);
    let (store, _) = server::store::dynamo::testing::fresh_store().await;
    let store = Arc::new(store);
    pages::load(&*store, orgs, orgs / 2).await;
    let state = server::startup::local(
        options,
        store.clone(),
        Arc::new(app::microsoft::Microsoft::new(Default::default(), None)),
    );
    let base = server::router::spawn_on_free_port(state).await.unwrap();
    let label = format!("DynamoDB store (moto), {orgs} Organizations");
    crate::load::run(&label, &base, store, false).await
}

/// Loads `orgs` Organizations (each with its Syncro Tenant) and `tenants` Microsoft Tenants into
/// a fresh moto table, then measures the pages; false when a page makes too many requests.
pub async fn at_scale(options: LeptosOptions, orgs: usize, tenants: usize) -> bool {
    let (store, counter) = server::store::dynamo::testing::fresh_store().await;
    let store = Arc::new(store);
    let t = Instant::now();
    pages::load(&*store, orgs, tenants).await;
    let loaded = counter.take();
    println!(
        "\nDynamoDB store (moto, one request at a time): loaded {orgs} Organizations, {orgs} Syncro \
         Tenants, {tenants} Microsoft Tenants in {:.1} s ({loaded})",
        t.elapsed().as_secs_f64()
    );
    let state = server::startup::local(
        options,
        store.clone(),
        Arc::new(app::microsoft::Microsoft::new(Default::default(), None)),
    );
    let base = server::router::spawn_on_free_port(state).await.unwrap();
    let client = pages::client(&pages::sign_in(&base, pages::EMAIL, pages::PASSWORD).await);
    // A fresh instance's first list view loads the account's lists (cache.rs): once.
    counter.take();
    let res = client
        .get(format!("{base}/admin/microsoft-tenants"))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let cold = counter.take();
    println!(
        "  a cold instance's first page view (loads the account's lists): {cold}; {}",
        cold.units()
    );
    println!(
        "  DynamoDB per warm page view (budget ≤ {PAGE_REQUESTS} requests, ≤ {PAGE_READ_UNITS} read \
         units, no writes), and time through moto:"
    );
    let mut ok = true;
    let mut page_units = Vec::new();
    for (label, path) in PAGES {
        let (m, made) = pages::measure(&client, &base, path, 2, Some(&counter)).await;
        let made = made.unwrap_or_default();
        let pass = made.reads() <= PAGE_REQUESTS
            && made.read_units <= PAGE_READ_UNITS
            && made.writes() == 0;
        ok &= pass;
        page_units.push(made.read_units);
        println!(
            "  {label:<50} {made}; {}  moto p50 {:.0} ms  ({} rows)  {}",
            made.units(),
            m.p50,
            m.rows,
            crate::verdict(pass)
        );
    }
    pages::history(&*store, 1_200).await;
    counter.take();
    println!(
        "  Admin > Activity (budget ≤ {ACTIVITY_REQUESTS} requests and ≤ {ACTIVITY_READ_UNITS} read units, \
         no writes):"
    );
    // One request each (after one warm-up): moto scans the whole table for every Query, ~8 s
    // at this scale, so the search that reads ten batches takes over a minute on moto.
    for (label, path) in pages::ACTIVITY {
        let (m, made) = pages::measure(&client, &base, path, 1, Some(&counter)).await;
        let made = made.unwrap_or_default();
        let pass = made.reads() <= ACTIVITY_REQUESTS
            && made.read_units <= ACTIVITY_READ_UNITS
            && made.writes() == 0;
        ok &= pass;
        println!(
            "  {label:<50} {made}; {}  moto p50 {:.0} ms  ({} rows)  {}",
            made.units(),
            m.p50,
            m.rows,
            crate::verdict(pass)
        );
    }
    let (pass, change) = actions(&client, &base, &counter, tenants).await;
    ok &= pass;
    ok &= accept_hundred(&client, &base, &counter).await;
    counter.take();
    let page = crate::cost::Units {
        read: page_units.iter().sum::<f64>() / page_units.len() as f64,
        write: 0.0,
    };
    let root = std::env::current_dir().unwrap();
    crate::cost::table(&root, store.table(), page, change, cold.read_units).await;
    ok
}

/// Posts a server function's form and returns its JSON answer.
async fn post(
    client: &reqwest::Client,
    base: &str,
    function: &str,
    form: &[(&str, &str)],
) -> serde_json::Value {
    let res = client
        .post(format!("{base}/api/{function}"))
        .header("accept", "application/json")
        .form(form)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{function}: {}", res.status());
    let body = res.text().await.unwrap();
    serde_json::from_str(&body).unwrap_or(serde_json::Value::Null)
}

/// The Suggestions view at this scale (requests and units), then *Accept selected* with 100
/// high-confidence suggestions: one write request per part of `MAPPINGS_PER_CHANGE`.
async fn accept_hundred(
    client: &reqwest::Client,
    base: &str,
    counter: &server::store::dynamo::count::RequestCounter,
) -> bool {
    let (m, made) = pages::measure(client, base, pages::SUGGESTIONS, 2, Some(counter)).await;
    let made = made.unwrap_or_default();
    println!(
        "  {:<50} {made}; {}  moto p50 {:.0} ms  ({} rows)",
        "Suggestions view",
        made.units(),
        m.p50,
        m.rows
    );
    let mut picks = Vec::new();
    for page in ["1", "2"] {
        let list = post(
            client,
            base,
            "suggestions",
            &[("confidence", "high"), ("page", page)],
        )
        .await;
        for row in list["rows"]["items"].as_array().into_iter().flatten() {
            picks.push(format!(
                "{}:{}",
                row["tenant_id"].as_str().unwrap(),
                row["syncro_tenant"]["id"].as_str().unwrap()
            ));
        }
    }
    let mut form: Vec<(&str, &str)> = picks.iter().map(|p| ("picks[]", p.as_str())).collect();
    form.push(("back", ""));
    counter.take();
    let report = post(client, base, "map-tenants", &form).await;
    let made = counter.take();
    let parts = picks
        .len()
        .div_ceil(app::domain::mapping::rules::MAPPINGS_PER_CHANGE) as u32;
    let pass = !picks.is_empty() && report["mapped"] == picks.len() && made.writes() == parts;
    println!(
        "  {:<50} {made}; {}; {} mapped  {}",
        format!("Accept {} suggestions (budget {parts} writes)", picks.len()),
        made.units(),
        report["mapped"],
        crate::verdict(pass)
    );
    pass
}

/// The user actions of S1–S4 at this scale: each must be one write request. Returns whether
/// all kept their budget, and their average units.
async fn actions(
    client: &reqwest::Client,
    base: &str,
    counter: &server::store::dynamo::count::RequestCounter,
    tenants: usize,
) -> (bool, crate::cost::Units) {
    println!(
        "  DynamoDB per user action (budget: 1 write request, ≤ {CHANGE_READS} read requests):"
    );
    let mut ok = true;
    let mut units = Vec::new();
    let mut report = |label: &str| {
        let made = counter.take();
        let pass = made.writes() == 1 && made.reads() <= CHANGE_READS;
        ok &= pass;
        units.push((made.read_units, made.write_units));
        println!(
            "  {label:<50} {made}; {}  {}",
            made.units(),
            crate::verdict(pass)
        );
    };
    counter.take();
    let org = post(
        client,
        base,
        "create-organization",
        &[
            ("name", "Bench Dental - Salem"),
            ("email", ""),
            ("phone", ""),
            ("address", ""),
            ("syncro_tenant", ""),
        ],
    )
    .await;
    report("S3 create an Organization (and its Syncro Tenant)");
    let org_id = org.as_str().unwrap().to_string();
    let view = post(client, base, "organization", &[("id", &org_id)]).await;
    let st = view["syncro_tenant"]["id"].as_str().unwrap().to_string();
    let st_version = view["syncro_tenant"]["version"].to_string();
    counter.take();
    post(
        client,
        base,
        "rename-syncro-tenant",
        &[
            ("id", &st),
            ("version", &st_version),
            ("name", "Bench Dental"),
        ],
    )
    .await;
    report("S4 rename a Syncro Tenant");
    // The last generated Microsoft Tenant that is not mapped (the demo maps a third).
    let mut n = tenants as u64;
    let (tenant, version) = loop {
        n -= 1;
        let tenant = server::tasks::demo_tenant_id(n).to_string();
        let row = post(client, base, "microsoft-tenant", &[("tenant_id", &tenant)]).await;
        if row["syncro_tenant"].is_null() {
            break (tenant, row["version"].to_string());
        }
    };
    counter.take();
    post(
        client,
        base,
        "map-tenant",
        &[
            ("tenant_id", &tenant),
            ("version", &version),
            ("syncro_tenant", &st),
            ("change", ""),
            ("back", "/"),
        ],
    )
    .await;
    report("S1 map a Microsoft Tenant");
    let version =
        post(client, base, "microsoft-tenant", &[("tenant_id", &tenant)]).await["version"]
            .to_string();
    counter.take();
    post(
        client,
        base,
        "unmap-tenant",
        &[("tenant_id", &tenant), ("version", &version)],
    )
    .await;
    report("S2 unmap it");
    let n = units.len() as f64;
    let average = crate::cost::Units {
        read: units.iter().map(|u| u.0).sum::<f64>() / n,
        write: units.iter().map(|u| u.1).sum::<f64>() / n,
    };
    (ok, average)
}
