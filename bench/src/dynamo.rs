//! The DynamoDB store on moto: the DynamoDB requests of every page (the figure
//! that carries over to AWS — moto's own speed does not), and for orientation the time per page
//! through moto.

use crate::pages::{self, PAGES};
use app::api::context::AppState;
use leptos::config::LeptosOptions;
use std::sync::Arc;
use std::time::Instant;

/// Most DynamoDB read requests a page may make at SPEC scale.
pub const PAGE_READS: u32 = 8;

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
    let state = AppState {
        leptos_options: options,
        store: store.clone(),
        microsoft: Arc::new(app::microsoft::Microsoft::new(Default::default(), None)),
    };
    let base = server::router::spawn_on_free_port(state).await.unwrap();
    let client = pages::client(&pages::sign_in(&base, pages::EMAIL, pages::PASSWORD).await);
    println!(
        "  DynamoDB requests per page (budget ≤ {PAGE_READS} reads, no writes), and time through moto:"
    );
    let mut ok = true;
    for (label, path) in PAGES {
        let (m, made) = pages::measure(&client, &base, path, 2, Some(&counter)).await;
        let made = made.unwrap_or_default();
        let pass = made.reads() <= PAGE_READS && made.writes() == 0;
        ok &= pass;
        println!(
            "  {label:<50} {made}  moto p50 {:.0} ms  ({} rows)  {}",
            m.p50,
            m.rows,
            crate::verdict(pass)
        );
    }
    ok &= actions(&client, &base, &counter, tenants).await;
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

/// The user actions of S1–S4 at this scale: each must be one write request.
async fn actions(
    client: &reqwest::Client,
    base: &str,
    counter: &server::store::dynamo::count::RequestCounter,
    tenants: usize,
) -> bool {
    println!("  DynamoDB requests per user action (budget: 1 write, ≤ {PAGE_READS} reads):");
    let mut ok = true;
    let mut report = |label: &str| {
        let made = counter.take();
        let pass = made.writes() == 1 && made.reads() <= PAGE_READS;
        ok &= pass;
        println!("  {label:<50} {made}  {}", crate::verdict(pass));
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
    // The last generated Microsoft Tenant is not mapped.
    let tenant = server::tasks::demo_tenant_id(tenants as u64 - 1).to_string();
    let version =
        post(client, base, "microsoft-tenant", &[("tenant_id", &tenant)]).await["version"]
            .to_string();
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
    ok
}
