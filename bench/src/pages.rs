//! Page requests against a running server, signed in like a browser: time per page, and with a
//! DynamoDB store the requests each page made.

use server::store::dynamo::count::{RequestCounter, Requests};
use std::time::{Duration, Instant};

/// Budget for a page's server time, p95.
pub const RENDER_BUDGET_MS: f64 = 20.0;

/// The pages measured: the two big lists, their first page, a search, a deep page.
pub const PAGES: [(&str, &str); 6] = [
    (
        "Microsoft Tenant Management, first page",
        "/admin/microsoft-tenants",
    ),
    (
        "Microsoft Tenant Management, search",
        "/admin/microsoft-tenants?q=harbor+dental",
    ),
    (
        "Microsoft Tenant Management, unmapped, page 40",
        "/admin/microsoft-tenants?filter=unmapped&page=40",
    ),
    ("Organizations, first page", "/organizations"),
    ("Organizations, search", "/organizations?q=summit+law"),
    ("Syncro Tenants, first page", "/syncro-tenants"),
];

/// The Suggestions view: every unmapped tenant matched against every free Syncro Tenant and
/// its Organizations on each request (issue 14's budget, on the embedded store).
pub const SUGGESTIONS: &str = "/admin/microsoft-tenants/suggestions";
pub const SUGGESTIONS_BUDGET_MS: f64 = 200.0;

pub fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// Signs in and returns the session cookie (`name=value`).
pub async fn sign_in(base: &str, email: &str, password: &str) -> String {
    let res = reqwest::Client::new()
        .post(format!("{base}/api/sign-in"))
        .form(&[("email", email), ("password", password), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "sign-in: {}", res.status());
    res.headers()[http::header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

pub fn client(cookie: &str) -> reqwest::Client {
    let mut headers = http::HeaderMap::new();
    headers.insert(http::header::COOKIE, cookie.parse().unwrap());
    reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// One page's figures.
pub struct Measured {
    pub p50: f64,
    pub p95: f64,
    pub rows: usize,
}

/// `requests` timed requests of `path` after up to 3 warm-up ones; with a counter, also returns
/// the store requests the last one made.
pub async fn measure(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    requests: usize,
    counter: Option<&RequestCounter>,
) -> (Measured, Option<Requests>) {
    let url = format!("{base}{path}");
    for _ in 0..requests.min(3) {
        client
            .get(&url)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
    }
    let mut times = Vec::with_capacity(requests);
    let mut rows = 0;
    let mut made = None;
    for _ in 0..requests {
        if let Some(c) = counter {
            c.take();
        }
        let t = Instant::now();
        let res = client.get(&url).send().await.unwrap();
        assert!(res.status().is_success(), "{path}: {}", res.status());
        let body = res.text().await.unwrap();
        times.push(t.elapsed());
        rows = body.matches("<tr").count().saturating_sub(1);
        if let Some(c) = counter {
            made = Some(c.take());
        }
    }
    times.sort();
    (
        Measured {
            p50: percentile(&times, 0.5),
            p95: percentile(&times, 0.95),
            rows,
        },
        made,
    )
}

/// The bench account's Administrator.
pub const EMAIL: &str = "bench@bench.example";
pub const PASSWORD: &str = "bench password 1234";

/// Creates the bench account in `store` and loads `orgs` Organizations (each with its Syncro
/// Tenant) and `tenants` Microsoft Tenants through the store's own changes.
pub async fn load(store: &dyn app::store::Store, orgs: usize, tenants: usize) {
    server::tasks::create_account(store, "Bench MSP", EMAIL, PASSWORD)
        .await
        .unwrap();
    let admin = store
        .user_by_email(&app::domain::Email::parse(EMAIL).unwrap())
        .await
        .unwrap()
        .unwrap();
    let caller = server::tasks::cli_caller(&admin, "bench");
    server::tasks::load_demo(store, &caller, orgs - 3, tenants - 1)
        .await
        .unwrap();
}

/// Admin > Activity: the newest page, and a search that matches nothing, which looks through
/// the most entries one page may (`ACTIVITY_SCAN`) before it ends with an Older link.
pub const ACTIVITY: [(&str, &str); 2] = [
    ("Activity, newest page", "/admin/activity"),
    (
        "Activity, a search matching nothing (1,000 entries)",
        "/admin/activity?q=no+such+words",
    ),
];

/// Adds `n` activity entries shaped like mappings (names, two records) to the bench account,
/// 98 to a change.
pub async fn history(store: &dyn app::store::Store, n: usize) {
    use app::domain::*;
    let admin = store
        .user_by_email(&Email::parse(EMAIL).unwrap())
        .await
        .unwrap()
        .unwrap();
    let mut left = n;
    let mut i = 0u128;
    while left > 0 {
        let mut c = ChangeSet::default();
        for _ in 0..left.min(ChangeSet::MAX_WRITES) {
            i += 1;
            c.push(Write::Audit(AuditEntry {
                at: Timestamp(1_790_000_000_000 + i as i64),
                id: uuid::Uuid::from_u128(i).to_string(),
                actor: if i.is_multiple_of(2) { EMAIL.into() } else { "tech@bench.example".into() },
                action: "microsoft_tenant.map".into(),
                summary: format!(
                    "Mapped Microsoft Tenant \"Customer {i} M365\" to Syncro Tenant \"Customer {i} Dental\""
                ),
                before: serde_json::json!({ "microsoft_tenant": uuid::Uuid::from_u128(i), "syncro_tenant": null }),
                after: serde_json::json!({ "microsoft_tenant": uuid::Uuid::from_u128(i), "syncro_tenant": uuid::Uuid::from_u128(i + 1) }),
                records: vec![format!("st:{}", uuid::Uuid::from_u128(i + 1)), format!("mt:{}", uuid::Uuid::from_u128(i))],
                operation: None,
            }));
            left -= 1;
        }
        store.apply(&admin.account, c).await.unwrap();
    }
}
