//! 8. Entra ID User Sync at scale: 3,000 mapped tenants × 80 users in the fake Microsoft (pages
//!    of 999, as Graph's `odata.maxpagesize` allows), each tenant's Syncro Tenant with two
//!    Organizations and two routing rules, synced by the Microsoft sync job:
//!    - the first sync (every user new: a delta read, a mailbox purpose per newcomer, the
//!      End Users written in parts of 12) and an incremental one with 1 % of the users changed
//!      (two job-title changes and one leaver in each of 800 tenants), on the embedded store;
//!    - then 10,000 more End Users by hand in one large Organization (250,000 in the account),
//!      and the End Users pages' server time (budget p95 < 20 ms like every list);
//!    - on DynamoDB (moto) the same at 30 tenants (moto scans a whole partition for each
//!      Query, so 250,000 items would take hours): the requests and write units per synced
//!      person (they do not depend on the account's size), and each End Users page's requests
//!      and read units (a page reads its rows by key range: what it costs does not depend on
//!      how many End Users the account has).
//!
//!    `BENCH_USER_SYNC_TENANTS` / `BENCH_USER_SYNC_DYNAMODB_TENANTS` choose other scales;
//!    `BENCH_ONLY=user-sync` runs this part alone.

use app::domain::Ctx;
use app::domain::end_users::sync::*;
use app::domain::end_users::{self, EndUserCursor, EndUserDraft, EndUserForm};
use app::domain::mapping::rules::{self, Parent};
use app::domain::*;
use app::microsoft::{Microsoft, MicrosoftConfig, SealingKey};
use app::services::sync_job::sync_account;
use app::store::prelude::*;
use leptos::prelude::LeptosOptions;
use server::fake_microsoft::{
    CLIENT_SECRET, FakeCustomer, FakeMicrosoft, FakeUser, PARTNER_TENANT, World,
};
use server::store::dynamo::count::RequestCounter;
use std::sync::Arc;
use std::time::Instant;

pub const USERS_PER_TENANT: u32 = 80;
/// End Users added by hand to one Organization (the large customer).
const LARGE_ORG: usize = 10_000;
/// A search that matches almost nothing looks through `END_USER_SCAN` (2,000) rows, 100 per
/// Query (20), plus the session, user, account and Organization. Set after measuring: 24
/// requests and 164 read units (rows of ~330 bytes, read strongly consistent) at 30 tenants
/// — the same bound as Admin > Activity's worst case.
pub const SEARCH_REQUESTS: u32 = 25;
pub const SEARCH_READ_UNITS: f64 = 200.0;

fn ctx() -> Ctx {
    Ctx {
        actor: "bench@msp.example".into(),
        now: app::domain::now(),
        audit_id: uuid::Uuid::new_v4().to_string(),
    }
}

fn world(tenants: usize) -> World {
    let mut w = World::sample();
    w.customers = (0..tenants as u32)
        .map(|i| {
            let mut c = FakeCustomer::new(
                i + 100,
                &format!("Customer {i}"),
                &format!("customer{i}.onmicrosoft.com"),
            );
            for n in 0..USERS_PER_TENANT {
                let (upn, dept) = if n < 60 {
                    (format!("person{n}@customer{i}.example"), "Boston Office")
                } else {
                    (format!("person{n}@waltham.customer{i}.example"), "Sales")
                };
                c.add_user(FakeUser::new(
                    n + 1,
                    &format!("Person {n:02} of {i}"),
                    &upn,
                    dept,
                ));
            }
            c
        })
        .collect();
    w.page_size = 999;
    w
}

struct Account {
    account: AccountId,
    ms: Microsoft,
    fake: FakeMicrosoft,
    /// (Boston, Waltham) of the first tenant.
    first: (Organization, Organization),
}

/// The account, connected as CSP, its tenants discovered, and each mapped to a Syncro Tenant
/// with two Organizations and an applied user sync with two routing rules.
async fn set_up(store: &dyn Store, tenants: usize) -> Account {
    let fake = FakeMicrosoft::start(world(tenants)).await;
    let key = SealingKey::from_base64(&SealingKey::generate()).unwrap();
    let ms = Microsoft::new(MicrosoftConfig::at(&fake.base), Some(key.clone()));
    let (account, _) = server::tasks::create_account(
        store,
        "User Sync MSP",
        crate::pages::EMAIL,
        crate::pages::PASSWORD,
    )
    .await
    .unwrap();
    server::fake_microsoft::connect_account(
        store,
        &key,
        &account,
        IntegrationMode::Csp,
        PARTNER_TENANT,
        CLIENT_SECRET,
    )
    .await
    .unwrap();
    sync_account(store, &ms, &account, "Bench", "bench")
        .await
        .unwrap();
    let mut first = None;
    for i in 0..tenants as u32 {
        let tenant =
            MicrosoftTenantId::parse(&format!("{:08x}-0000-4000-8000-00000000c0de", i + 100))
                .unwrap();
        let (b, w, st) = (
            OrganizationId::from_uuid(uuid::Uuid::new_v4()),
            OrganizationId::from_uuid(uuid::Uuid::new_v4()),
            SyncroTenantId::from_uuid(uuid::Uuid::new_v4()),
        );
        let name = |s: &str| OrganizationName::parse(&format!("Customer {i} - {s}")).unwrap();
        store
            .apply(
                &account,
                rules::create_organization(
                    &ctx(),
                    b,
                    name("Boston"),
                    Default::default(),
                    Parent::Automatic(st),
                ),
            )
            .await
            .unwrap();
        let st_rec = store.syncro_tenant(&account, st).await.unwrap().unwrap();
        store
            .apply(
                &account,
                rules::create_organization(
                    &ctx(),
                    w,
                    name("Waltham"),
                    Default::default(),
                    Parent::Existing(&st_rec),
                ),
            )
            .await
            .unwrap();
        let st_rec = store.syncro_tenant(&account, st).await.unwrap().unwrap();
        let mt = store
            .microsoft_tenant(&account, tenant)
            .await
            .unwrap()
            .unwrap();
        store
            .apply(
                &account,
                rules::map_tenant(&ctx(), &mt, mt.version, &st_rec).unwrap(),
            )
            .await
            .unwrap();
        let st_rec = store.syncro_tenant(&account, st).await.unwrap().unwrap();
        let rules = vec![
            RoutingRule {
                field: RuleField::Department,
                value: "Boston Office".into(),
                organization: b,
            },
            RoutingRule {
                field: RuleField::Domain,
                value: format!("waltham.customer{i}.example"),
                organization: w,
            },
        ];
        store
            .apply(
                &account,
                save(
                    &ctx(),
                    &st_rec,
                    None,
                    (UserFilters::default(), rules, None, DEFAULT_BRAKE_PERCENT),
                ),
            )
            .await
            .unwrap();
        let settings = store.user_sync(&account, st).await.unwrap().unwrap();
        store
            .apply(&account, approve(&ctx(), &st_rec, &settings))
            .await
            .unwrap();
        if first.is_none() {
            first = Some((
                store.organization(&account, b).await.unwrap().unwrap(),
                store.organization(&account, w).await.unwrap().unwrap(),
            ));
        }
    }
    Account {
        account,
        ms,
        fake,
        first: first.unwrap(),
    }
}

/// 1 % of the users changed: in as many tenants as that takes, two new job titles and one
/// leaver each.
fn change_one_percent(fake: &FakeMicrosoft, tenants: usize) -> usize {
    let mut w = fake.world();
    let mut changed = 0;
    let touched = (tenants * USERS_PER_TENANT as usize / 100).div_ceil(3);
    for (i, c) in w.customers.iter_mut().enumerate().take(touched) {
        for n in [1u32, 2] {
            c.change_user(&format!("person{n}@customer{i}.example"), |u| {
                u.job_title = "Director".into()
            });
        }
        c.change_user(&format!("person3@customer{i}.example"), |u| {
            u.deleted = true
        });
        changed += 3;
    }
    changed
}

/// Runs the Microsoft sync job and reports what its user syncs did, from their kept reports.
async fn sync(
    store: &dyn Store,
    a: &Account,
    label: &str,
    counter: Option<&RequestCounter>,
) -> (f64, UserSyncReport) {
    if let Some(c) = counter {
        c.take();
    }
    let t = Instant::now();
    let report = sync_account(store, &a.ms, &a.account, label, "bench")
        .await
        .unwrap();
    let took = t.elapsed().as_secs_f64();
    assert_eq!(report.error, None);
    let mut total = UserSyncReport::default();
    for s in store.user_syncs(&a.account).await.unwrap() {
        let r = store
            .user_sync_state(&a.account, s.syncro_tenant)
            .await
            .unwrap()
            .unwrap()
            .last_report
            .unwrap();
        assert_eq!(r.error, None, "{r:?}");
        total.created += r.created;
        total.updated += r.updated;
        total.deactivated += r.deactivated;
        total.skipped += r.skipped;
    }
    (took, total)
}

async fn run_syncs(
    label: &str,
    store: &dyn Store,
    a: &Account,
    tenants: usize,
    counter: Option<&RequestCounter>,
) {
    let users = tenants * USERS_PER_TENANT as usize;
    let graph = |f: &FakeMicrosoft| {
        let w = f.world();
        (
            w.seen("graph:/v1.0/users/delta"),
            w.seen("graph:/v1.0/users/{id}/mailboxSettings"),
        )
    };
    let before = graph(&a.fake);
    let (took, r) = sync(store, a, "Bench first", counter).await;
    let after = graph(&a.fake);
    let units = counter.map(|c| {
        let made = c.take();
        format!(
            "; DynamoDB {made}; {} — {:.1} write units per person",
            made.units(),
            made.write_units / users as f64
        )
    });
    println!(
        "  {label:<10} first sync of {tenants} tenants × {USERS_PER_TENANT} users: {took:>7.1} s ({} created; Graph: {} delta pages, {} mailbox purposes){}",
        r.created,
        after.0 - before.0,
        after.1 - before.1,
        units.unwrap_or_default()
    );
    assert_eq!(r.created, users);
    let changed = change_one_percent(&a.fake, tenants);
    let (took, r) = sync(store, a, "Bench incremental", counter).await;
    let units = counter.map(|c| {
        let made = c.take();
        format!("; DynamoDB {made}; {}", made.units())
    });
    println!(
        "  {label:<10} incremental, {changed} users changed ({:.1} %): {took:>7.1} s ({} updated, {} deactivated){}",
        100.0 * changed as f64 / users as f64,
        r.updated,
        r.deactivated,
        units.unwrap_or_default()
    );
}

/// `n` more End Users by hand in `org` ("Hand 00000" …), through the rule.
async fn add_by_hand(store: &dyn Store, account: &AccountId, org: &Organization, n: usize) {
    for k in 0..n {
        let draft = EndUserDraft::parse(&EndUserForm {
            name: format!("Hand {k:05}"),
            email: format!("hand{k}@large.example"),
            job_title: "Engineer".into(),
            ..EndUserForm::default()
        })
        .unwrap();
        let id = EndUserId::from_uuid(uuid::Uuid::new_v4());
        store
            .apply(account, end_users::add(&ctx(), id, org, draft))
            .await
            .unwrap();
    }
}

/// The End Users pages measured: a typical Organization, the large one (first page, a deep
/// page, a search that matches one person), and a person's page.
async fn page_paths(store: &dyn Store, a: &Account, large: &Organization) -> Vec<(String, String)> {
    let filter = end_users::EndUserFilter::default();
    let mut after: Option<EndUserCursor> = None;
    for _ in 0..(LARGE_ORG.min(5_000) / 25) {
        let page = store
            .end_users(&a.account, large.id, &filter, after.clone(), 25)
            .await
            .unwrap();
        match page.next {
            Some(c) => after = Some(c),
            None => break,
        }
    }
    let deep = after.map(|c| c.encode()).unwrap_or_default();
    let first = app::domain::end_users::EndUserBatch {
        after: app::domain::end_users::EndUserPlace::start(a.first.0.id, true),
        n: 1,
    };
    let person = store.end_user_rows(&a.account, &first).await.unwrap()[0].id;
    let path = |o: &Organization| format!("/organizations/{}/end-users", o.id);
    vec![
        (
            "End Users of a typical Organization (~60 people)".into(),
            path(&a.first.0),
        ),
        (
            "End Users of the large Organization, first page".into(),
            path(large),
        ),
        (
            "End Users of the large Organization, deep page".into(),
            format!("{}?after={}", path(large), app::components::enc(&deep)),
        ),
        (
            "End Users of the large Organization, search".into(),
            format!("{}?q=hand+01234", path(large)),
        ),
        ("An End User's page".into(), format!("/end-users/{person}")),
    ]
}

pub async fn embedded(options: LeptosOptions, tenants: usize) -> bool {
    println!(
        "\nEntra ID User Sync from the fake Microsoft over loopback HTTP, and the End Users pages:"
    );
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(server::store::EmbeddedStore::open_with(dir.path(), false).unwrap());
    let t = Instant::now();
    let a = set_up(&*store, tenants).await;
    println!(
        "  embedded   set up {tenants} mapped tenants with two Organizations and two rules each in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    run_syncs("embedded", &*store, &a, tenants, None).await;
    let large = a.first.1.clone();
    let t = Instant::now();
    add_by_hand(&*store, &a.account, &large, LARGE_ORG).await;
    let total = tenants * USERS_PER_TENANT as usize + LARGE_ORG;
    println!(
        "  embedded   added {LARGE_ORG} End Users by hand to one Organization in {:.1} s: {total} End Users in the account",
        t.elapsed().as_secs_f64()
    );
    let state = server::startup::local(
        options,
        store.clone(),
        Arc::new(Microsoft::new(Default::default(), None)),
    );
    let base = server::router::spawn_on_free_port(state).await.unwrap();
    let client = crate::pages::client(
        &crate::pages::sign_in(&base, crate::pages::EMAIL, crate::pages::PASSWORD).await,
    );
    let mut ok = true;
    for (label, path) in page_paths(&*store, &a, &large).await {
        let (m, _) = crate::pages::measure(&client, &base, &path, crate::REQUESTS, None).await;
        let pass = m.p95 < crate::pages::RENDER_BUDGET_MS;
        ok &= pass;
        println!(
            "  {label:<50} p50 {:>6.2} ms  p95 {:>6.2} ms  ({} rows)  {}",
            m.p50,
            m.p95,
            m.rows,
            crate::verdict(pass)
        );
    }
    ok
}

pub async fn dynamodb(options: LeptosOptions, tenants: usize) -> bool {
    let (store, counter) = server::store::dynamo::testing::fresh_store().await;
    let store = Arc::new(store);
    let t = Instant::now();
    let a = set_up(&*store, tenants).await;
    println!(
        "  DynamoDB   set up {tenants} mapped tenants in {:.1} s (moto)",
        t.elapsed().as_secs_f64()
    );
    run_syncs("DynamoDB", &*store, &a, tenants, Some(&counter)).await;
    let large = a.first.1.clone();
    add_by_hand(&*store, &a.account, &large, 2_000).await;
    let state = server::startup::local(
        options,
        store.clone(),
        Arc::new(Microsoft::new(Default::default(), None)),
    );
    let base = server::router::spawn_on_free_port(state).await.unwrap();
    let client = crate::pages::client(
        &crate::pages::sign_in(&base, crate::pages::EMAIL, crate::pages::PASSWORD).await,
    );
    println!(
        "  DynamoDB per End Users page view (budget ≤ {} requests, ≤ {} read units; a search ≤ {SEARCH_REQUESTS} and ≤ {SEARCH_READ_UNITS}: it looks through at most 2,000 rows):",
        crate::dynamo::PAGE_REQUESTS,
        crate::dynamo::PAGE_READ_UNITS
    );
    let mut ok = true;
    for (label, path) in page_paths(&*store, &a, &large).await {
        let (m, made) = crate::pages::measure(&client, &base, &path, 2, Some(&counter)).await;
        let made = made.unwrap_or_default();
        let (requests, units) = if path.contains("q=") {
            (SEARCH_REQUESTS, SEARCH_READ_UNITS)
        } else {
            (crate::dynamo::PAGE_REQUESTS, crate::dynamo::PAGE_READ_UNITS)
        };
        let pass = made.reads() <= requests && made.read_units <= units && made.writes() == 0;
        ok &= pass;
        println!(
            "  {label:<50} {made}; {}  moto p50 {:.0} ms  ({} rows)  {}",
            made.units(),
            m.p50,
            m.rows,
            crate::verdict(pass)
        );
    }
    ok
}
