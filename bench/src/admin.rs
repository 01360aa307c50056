//! 11. An administrator who knows the right answers maps the 300-customer book (`book.rs`) on
//!     day one, through the UI in a real Chromium (`end2end/bench/admin.mjs`): the book's
//!     tenants are the customers the fake Microsoft serves a CSP partner, its Syncro Tenants
//!     and Organizations are the account's. The administrator signs in, connects as CSP, syncs,
//!     accepts all high-confidence suggestions, corrects what is left in place, types the rest
//!     on Map the rest, and downloads Export CSV; the bench checks that file against the
//!     answers. Reports clicks (a choice in a list counts two: open, choose), typed fields,
//!     page loads and wall time. Budget: every tenant right, ≤ 20 clicks.

use crate::book::{Book, Truth};
use app::domain::integration::tenant_import::records;
use app::domain::*;
use app::microsoft::{Microsoft, MicrosoftConfig, SealingKey};
use leptos::prelude::LeptosOptions;
use server::fake_microsoft::{
    CLIENT_ID, CLIENT_SECRET, FakeCustomer, FakeMicrosoft, PARTNER_TENANT, World,
};
use server::store::EmbeddedStore;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

const EMAIL: &str = "admin@book.example";
const PASSWORD: &str = "book admin password";
const CLICK_BUDGET: u64 = 20;

/// The fake Microsoft's partner, with the book's tenants as its customers (their IDs, names
/// and verified domains as the book has them).
fn world(book: &Book) -> World {
    let mut w = World::sample();
    w.customers = book
        .tenants
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let initial = t
                .verified_domains
                .iter()
                .find(|d| d.ends_with(".onmicrosoft.com"))
                .cloned()
                .unwrap_or_else(|| t.default_domain.clone());
            let mut c = FakeCustomer::new(i as u32 + 100, &t.display_name, &t.default_domain);
            c.tenant_id = t.tenant_id.to_string();
            c.initial = initial.clone();
            c.other_domains = t
                .verified_domains
                .iter()
                .filter(|d| **d != initial && **d != t.default_domain)
                .cloned()
                .collect();
            c
        })
        .collect();
    w.page_size = 100;
    w
}

/// The book's Syncro Tenants and Organizations, written as the account's (one change each).
async fn seed(store: &dyn app::store::Store, account: &AccountId, book: &Book) {
    for st in &book.syncro {
        let mut c = ChangeSet::default();
        c.push(Write::ClaimName {
            kind: NameKind::SyncroTenant,
            key: st.name.key(),
            owner: st.id.as_uuid(),
        });
        c.push(Write::CreateSyncroTenant { record: st.clone() });
        for org in book.orgs.iter().filter(|o| o.syncro_tenant == st.id) {
            c.push(Write::ClaimName {
                kind: NameKind::Organization,
                key: org.name.key(),
                owner: org.id.as_uuid(),
            });
            c.push(Write::PutOrganization {
                record: org.clone(),
                expect: Expect::Absent,
            });
        }
        store.apply(account, c).await.expect("the book is valid");
    }
}

/// Per tenant ID, the names of the Syncro Tenants that are its answer (the offices, when it is
/// a group; none when it is no customer): what the administrator knows.
fn answers(book: &Book) -> serde_json::Value {
    let names: HashMap<SyncroTenantId, &str> = book
        .syncro
        .iter()
        .map(|s| (s.id, s.name.as_str()))
        .collect();
    let map: serde_json::Map<String, serde_json::Value> = book
        .truth
        .iter()
        .map(|(id, (truth, _))| {
            let ids = match truth {
                Truth::One(st) => vec![*st],
                Truth::Offices(sts) => sts.clone(),
                Truth::None => Vec::new(),
            };
            let sts: Vec<&str> = ids.iter().map(|i| names[i]).collect();
            (id.to_string(), serde_json::json!(sts))
        })
        .collect();
    serde_json::Value::Object(map)
}

/// The tenants the exported mapping has wrong: for each, what it should hold (the
/// Organizations under its Syncro Tenant) and what the file says.
fn wrong_in_export(book: &Book, csv: &str) -> Vec<String> {
    let mut orgs_of: HashMap<SyncroTenantId, BTreeSet<String>> = HashMap::new();
    for o in &book.orgs {
        orgs_of
            .entry(o.syncro_tenant)
            .or_default()
            .insert(o.name.to_string());
    }
    let expected = |truth: &Truth| -> BTreeSet<String> {
        let ids = match truth {
            Truth::One(st) => vec![*st],
            Truth::Offices(sts) => sts.clone(),
            Truth::None => Vec::new(),
        };
        ids.iter()
            .flat_map(|i| orgs_of.get(i).cloned().unwrap_or_default())
            .collect()
    };
    let mut seen = 0;
    let mut wrong = Vec::new();
    for record in records(csv).skip(1) {
        let (line, fields) = match record {
            Ok(r) => r,
            Err(r) => {
                wrong.push(format!("line {}: {}", r.line, r.why));
                continue;
            }
        };
        let Some(truth) = MicrosoftTenantId::parse(&fields[0])
            .ok()
            .and_then(|id| book.truth.get(&id))
        else {
            wrong.push(format!(
                "line {line}: a tenant not in the book ({})",
                fields[0]
            ));
            continue;
        };
        seen += 1;
        let has: BTreeSet<String> = fields[4]
            .split("; ")
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect();
        let want = expected(&truth.0);
        if has != want || fields[3].is_empty() != want.is_empty() {
            wrong.push(format!(
                "“{}”: mapped to “{}” holding {has:?}, should hold {want:?}",
                fields[1], fields[3]
            ));
        }
    }
    if seen != book.truth.len() {
        wrong.push(format!(
            "the export lists {seen} tenants, the book has {}",
            book.truth.len()
        ));
    }
    wrong
}

pub async fn run(options: LeptosOptions) -> bool {
    let book = crate::book::book();
    let fake = FakeMicrosoft::start(world(&book)).await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(EmbeddedStore::open_with(dir.path(), false).unwrap());
    let (account, _) = server::tasks::create_account(&*store, "Book MSP", EMAIL, PASSWORD)
        .await
        .unwrap();
    seed(&*store, &account, &book).await;
    let key = SealingKey::from_base64(&SealingKey::generate()).unwrap();
    let ms = Arc::new(Microsoft::new(MicrosoftConfig::at(&fake.base), Some(key)));
    app::set_asset_hashes(&options);
    let state = server::startup::local(options, store.clone(), ms);
    let base = server::router::spawn_on_free_port(state).await.unwrap();

    let answers_file = dir.path().join("answers.json");
    std::fs::write(&answers_file, answers(&book).to_string()).unwrap();
    let args: Vec<String> = [
        base.as_str(),
        EMAIL,
        PASSWORD,
        PARTNER_TENANT,
        CLIENT_ID,
        CLIENT_SECRET,
        &answers_file.to_string_lossy(),
    ]
    .map(str::to_string)
    .to_vec();
    // The server runs on this runtime: the browser is waited for on a thread of its own.
    let out = tokio::task::spawn_blocking(move || crate::node_json("admin.mjs", &args))
        .await
        .unwrap();
    let csv = out["csv"].as_str().unwrap_or_default();
    let wrong = wrong_in_export(&book, csv);
    let n = |k: &str| out["count"][k].as_u64().unwrap_or(0);
    let (clicks, check_clicks) = (n("clicks"), n("checkClicks"));
    let right = book.truth.len() - wrong.len().min(book.truth.len());
    let pass = wrong.is_empty() && clicks <= CLICK_BUDGET;
    println!(
        "\n## An administrator maps the book on day one (a real Chromium, desktop; {} tenants)",
        book.truth.len()
    );
    if let Some(steps) = out["steps"].as_array() {
        for s in steps {
            println!("  {}", s.as_str().unwrap_or_default());
        }
    }
    println!(
        "  clicks {clicks} (of them {} choices in a list, 2 each), typed fields {}, page loads {}, wall time {:.1} s; then {check_clicks} clicks to download Export CSV",
        n("picks"),
        n("typed"),
        n("loads"),
        out["seconds"].as_f64().unwrap_or(0.0)
    );
    for w in wrong.iter().take(10) {
        println!("  wrong: {w}");
    }
    println!(
        "  Export CSV checked against the answers: {right}/{} right; budget: all right, ≤ {CLICK_BUDGET} clicks  {}",
        book.truth.len(),
        crate::verdict(pass)
    );
    pass
}
