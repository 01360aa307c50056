//! The DynamoDB store on moto: the DynamoDB requests of every page (the figure
//! that carries over to AWS — moto's own speed does not), and for orientation the time per page
//! through moto.

use crate::pages::{self, PAGES};
use app::api::context::AppState;
use app::store::Store as _;
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
    let (email, password) = ("bench@bench.example", "bench password 1234");
    server::tasks::create_account(&*store, "Bench MSP", email, password)
        .await
        .unwrap();
    let admin = store
        .user_by_email(&app::domain::Email::parse(email).unwrap())
        .await
        .unwrap()
        .unwrap();
    let caller = server::tasks::cli_caller(&admin, "bench");
    let t = Instant::now();
    server::tasks::load_demo(&*store, &caller, orgs - 3, tenants - 1)
        .await
        .unwrap();
    let loaded = counter.take();
    println!(
        "\nDynamoDB store (moto, one request at a time): loaded {orgs} Organizations, {orgs} Syncro \
         Tenants, {tenants} Microsoft Tenants in {:.1} s ({loaded})",
        t.elapsed().as_secs_f64()
    );
    let state = AppState {
        leptos_options: options,
        store: store.clone(),
    };
    let base = server::router::spawn_on_free_port(state).await.unwrap();
    let client = pages::client(&pages::sign_in(&base, email, password).await);
    println!(
        "  DynamoDB requests per page (budget ≤ {PAGE_READS} reads, no writes), and time through moto:"
    );
    let mut ok = true;
    for (label, path) in PAGES {
        let (m, made) = pages::measure(&client, &base, path, 10, Some(&counter)).await;
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
    ok
}
