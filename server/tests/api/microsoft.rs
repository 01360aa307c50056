//! The Microsoft integration end to end: the real client (tokens, Graph paging, throttling,
//! per-customer failures) against a fake Microsoft identity platform and Graph over HTTP, with
//! what it finds recorded in each store — and the same through the server functions.

use crate::helpers::*;
use app::domain::Ctx;
use app::domain::mapping::rules;
use app::domain::*;
use app::microsoft::Microsoft;
use app::services::sync_job::sync_account;
use app::store::prelude::*;
use server::fake_microsoft::{CLIENT_ID, CLIENT_SECRET, FakeMicrosoft, PARTNER_TENANT, World};
use std::sync::Arc;

fn tenant(n: u32) -> MicrosoftTenantId {
    MicrosoftTenantId::parse(&format!("{n:08x}-0000-4000-8000-00000000c0de")).unwrap()
}

fn ctx() -> Ctx {
    Ctx {
        actor: "admin@msp.example".into(),
        now: app::domain::now(),
        audit_id: uuid::Uuid::new_v4().to_string(),
    }
}

async fn connect(
    store: &dyn Store,
    ms: &Microsoft,
    account: &AccountId,
    mode: IntegrationMode,
    directory: &str,
    secret: &str,
) {
    server::fake_microsoft::connect_account(
        store,
        ms.key().unwrap(),
        account,
        mode,
        directory,
        secret,
    )
    .await
    .unwrap();
}

async fn mt(store: &dyn Store, a: &AccountId, n: u32) -> MicrosoftTenant {
    store.microsoft_tenant(a, tenant(n)).await.unwrap().unwrap()
}

/// The CSP path a partner's day brings: paging, a throttled request, renamed, unconsented,
/// expired, missing-GDAP and throttled customers; then a customer leaves, one is renamed, the
/// secret goes bad.
async fn csp_sync(store: Arc<dyn Store>) {
    let fake = FakeMicrosoft::start(World::sample()).await;
    let ms = fake_client(&fake);
    let (account, _) =
        server::tasks::create_account(&*store, "MSP A", "admin@msp.example", PASSWORD)
            .await
            .unwrap();
    connect(
        &*store,
        &ms,
        &account,
        IntegrationMode::Csp,
        PARTNER_TENANT,
        CLIENT_SECRET,
    )
    .await;
    fake.world().throttle_next = 1; // the first Graph request is throttled (Retry-After: 1)

    let report = sync_account(
        &*store,
        &ms,
        &account,
        "Sync Now by test",
        "admin@msp.example",
    )
    .await
    .unwrap();
    assert_eq!(report.error, None);
    assert_eq!((report.added, report.updated, report.removed), (6, 0, 0));
    let failures: Vec<(String, SyncFailure)> = report
        .failures
        .iter()
        .map(|f| (f.display_name.clone(), f.failure.clone()))
        .collect();
    assert_eq!(report.failure_count, 4, "{failures:?}");
    for expected in [
        ("Northwind Traders", SyncFailure::NoConsent),
        ("Tailspin Toys", SyncFailure::ExpiredRelationship),
        ("Woodgrove Bank", SyncFailure::NoGdapRelationship),
        ("Litware", SyncFailure::Throttled),
    ] {
        assert!(
            failures.contains(&(expected.0.to_string(), expected.1.clone())),
            "{expected:?} in {failures:?}"
        );
    }
    {
        let w = fake.world();
        assert_eq!(w.seen("throttled"), 1);
        // 6 contracts and 7 relationships, two per page: every page was followed (and the
        // throttled first request of the relationships was made again).
        assert_eq!(w.seen("graph:/v1.0/contracts"), 3);
        assert_eq!(
            w.seen("graph:/v1.0/tenantRelationships/delegatedAdminRelationships"),
            4 + 1
        );
    }
    // The contract said "Contoso"; the customer's own organization says "Contoso Group".
    let contoso = mt(&*store, &account, 1).await;
    assert_eq!(contoso.display_name, "Contoso Group");
    assert_eq!(contoso.default_domain, "contoso.onmicrosoft.com");
    assert_eq!(contoso.sync_error, None);
    // Fabrikam: the latest active relationship, which auto-extends; the expired one is ignored.
    let fabrikam = mt(&*store, &account, 2).await;
    assert_eq!(
        fabrikam.gdap,
        Some(GdapAccess {
            ends_at: Timestamp::parse_iso8601("2027-09-30T12:00:00Z").unwrap(),
            auto_extends: true
        })
    );
    // Failing customers are kept, with the names the partner's lists gave.
    let northwind = mt(&*store, &account, 3).await;
    assert_eq!(northwind.display_name, "Northwind Traders");
    assert_eq!(northwind.sync_error, Some(SyncFailure::NoConsent));
    assert_eq!(mt(&*store, &account, 4).await.gdap, None);

    // Map Contoso, then: Contoso leaves the partner, Fabrikam renames itself, Northwind consents.
    let st_id = SyncroTenantId::from_uuid(uuid::Uuid::new_v4());
    store
        .apply(
            &account,
            rules::create_organization(
                &ctx(),
                OrganizationId::from_uuid(uuid::Uuid::new_v4()),
                OrganizationName::parse("Contoso Dental").unwrap(),
                Default::default(),
                rules::Parent::Automatic(st_id),
            ),
        )
        .await
        .unwrap();
    let st = store.syncro_tenant(&account, st_id).await.unwrap().unwrap();
    store
        .apply(
            &account,
            rules::map_tenant(&ctx(), &contoso, contoso.version, &st).unwrap(),
        )
        .await
        .unwrap();
    {
        let mut w = fake.world();
        w.customers.retain(|c| c.contract_name != "Contoso");
        w.customer("Fabrikam").name = "Fabrikam Holdings".into();
        w.customer("Northwind Traders").consent = true;
    }
    let tokens_before = fake.world().seen(&format!("token:{PARTNER_TENANT}"));
    let report = sync_account(&*store, &ms, &account, "Scheduled", "Scheduled sync")
        .await
        .unwrap();
    assert_eq!((report.added, report.updated, report.removed), (0, 5, 1));
    assert_eq!(report.failure_count, 3);
    assert_eq!(
        fake.world().seen(&format!("token:{PARTNER_TENANT}")),
        tokens_before,
        "the partner token is cached until shortly before it expires"
    );
    let gone = mt(&*store, &account, 1).await;
    assert!(gone.removed_at.is_some(), "removed by Microsoft");
    assert_eq!(
        gone.syncro_tenant,
        Some(st.id),
        "the mapping stays until unmapped"
    );
    assert_eq!(
        mt(&*store, &account, 2).await.display_name,
        "Fabrikam Holdings"
    );
    assert_eq!(mt(&*store, &account, 3).await.sync_error, None);

    // A secret Microsoft refuses: the sync fails whole, says why, and changes no tenant.
    let before = store
        .list_microsoft_tenants(
            &account,
            &app::wire::ListQuery::default(),
            app::store::MappingFilter::All,
        )
        .await
        .unwrap();
    connect(
        &*store,
        &ms,
        &account,
        IntegrationMode::Csp,
        PARTNER_TENANT,
        "a-wrong-secret",
    )
    .await;
    let report = sync_account(&*store, &ms, &account, "Scheduled", "Scheduled sync")
        .await
        .unwrap();
    let error = report.error.clone().expect("a failed sync");
    assert!(error.contains("AADSTS7000215"), "{error}");
    assert_eq!(store.sync_report(&account).await.unwrap(), Some(report));
    let after = store
        .list_microsoft_tenants(
            &account,
            &app::wire::ListQuery::default(),
            app::store::MappingFilter::All,
        )
        .await
        .unwrap();
    assert_eq!(before, after, "a failed listing marks nothing removed");
}

/// Single Tenant: the one tenant that consented, read from its own `/organization`.
async fn single_tenant_sync(store: Arc<dyn Store>) {
    let fake = FakeMicrosoft::start(World::sample()).await;
    let ms = fake_client(&fake);
    let (account, _) =
        server::tasks::create_account(&*store, "MSP S", "admin@msp-s.example", PASSWORD)
            .await
            .unwrap();
    let contoso = tenant(1).to_string();
    connect(
        &*store,
        &ms,
        &account,
        IntegrationMode::SingleTenant,
        &contoso,
        CLIENT_SECRET,
    )
    .await;
    let report = sync_account(&*store, &ms, &account, "Sync Now", "admin@msp-s.example")
        .await
        .unwrap();
    assert_eq!(
        (report.error.as_deref(), report.added, report.failure_count),
        (None, 1, 0)
    );
    let t = mt(&*store, &account, 1).await;
    assert_eq!(
        (t.display_name.as_str(), t.default_domain.as_str()),
        ("Contoso Group", "contoso.onmicrosoft.com")
    );
    // A second sync while one runs is refused with who started it and how far it got; the
    // lease is free again once it finished.
    let running = app::services::sync_job::start_job(
        &*store,
        &account,
        "Sync Now by ann@msp-s.example",
        "ann@msp-s.example",
    )
    .await
    .unwrap();
    let refused = sync_account(&*store, &ms, &account, "Scheduled", "Scheduled sync").await;
    match refused {
        Err(app::error::AppError::InUse { message }) => {
            assert!(message.contains("already running"), "{message}");
            assert!(
                message.contains("Sync Now by ann@msp-s.example"),
                "{message}"
            );
        }
        other => panic!("a second sync started: {other:?}"),
    }
    let report = app::services::sync_job::run_job(&*store, &ms, &account, running).await;
    assert_eq!(report.error, None);
    let job = store.sync_job(&account).await.unwrap().unwrap();
    assert!(job.finished_at.is_some());
    assert_eq!((job.customers_done, job.customers_total), (1, 1));
    // The scheduled sync launches one job per connected account.
    let jobs = app::services::sync_job::LocalJobs {
        store: store.clone(),
        microsoft: Arc::new(ms),
    };
    assert_eq!(
        app::services::sync_job::sync_all(&*store, &jobs)
            .await
            .unwrap(),
        1
    );
    let report = finished_report(&*store, &account, "Scheduled").await;
    assert_eq!(report.updated, 1);
}

#[tokio::test]
async fn csp_sync_on_the_embedded_store() {
    let dir = tempfile::tempdir().unwrap();
    csp_sync(Arc::new(
        server::store::EmbeddedStore::open(dir.path()).unwrap(),
    ))
    .await;
}

#[tokio::test]
async fn csp_sync_on_dynamodb() {
    let (store, _) = server::store::dynamo::testing::fresh_store().await;
    csp_sync(Arc::new(store)).await;
}

#[tokio::test]
async fn single_tenant_sync_on_the_embedded_store() {
    let dir = tempfile::tempdir().unwrap();
    single_tenant_sync(Arc::new(
        server::store::EmbeddedStore::open(dir.path()).unwrap(),
    ))
    .await;
}

#[tokio::test]
async fn single_tenant_sync_on_dynamodb() {
    let (store, _) = server::store::dynamo::testing::fresh_store().await;
    single_tenant_sync(Arc::new(store)).await;
}

/// Through the server functions, as the integration page uses them.
#[tokio::test]
async fn connect_sync_and_disconnect_over_http_on_the_embedded_store() {
    connect_sync_and_disconnect_over_http(spawn_app().await).await;
}

#[tokio::test]
async fn connect_sync_and_disconnect_over_http_on_dynamodb() {
    let (store, _) = server::store::dynamo::testing::fresh_store().await;
    let mut app = spawn_with(Arc::new(store), tempfile::tempdir().unwrap()).await;
    app.cookie = Some(app.create_account("MSP A", "admin@msp-a.example").await);
    connect_sync_and_disconnect_over_http(app).await;
}

async fn connect_sync_and_disconnect_over_http(app: TestApp) {
    let connect = |mode: &'static str, secret: &'static str| {
        [
            ("mode", mode),
            ("directory_tenant", PARTNER_TENANT),
            ("client_id", CLIENT_ID),
            ("client_secret", secret),
        ]
    };
    // Bad input is refused before anything is stored.
    let r = app
        .call(
            "connect-microsoft",
            &[
                ("mode", "csp"),
                ("directory_tenant", "contoso.com"),
                ("client_id", CLIENT_ID),
                ("client_secret", "x"),
            ],
        )
        .await;
    assert!(
        matches!(&r, Err(app::error::AppError::Validation { field, .. }) if field == "directory_tenant"),
        "{r:?}"
    );
    // Microsoft refuses the secret: said clearly, under the secret's field, nothing stored.
    let r = app
        .call("connect-microsoft", &connect("csp", "wrong"))
        .await;
    match r {
        Err(app::error::AppError::Validation { field, message }) => {
            assert_eq!(field, "client_secret");
            assert!(message.contains("AADSTS7000215"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    let view = app.call("microsoft-integration", &[]).await.unwrap();
    assert!(view["connection"].is_null());
    app.call("connect-microsoft", &connect("csp", CLIENT_SECRET))
        .await
        .unwrap();
    // One mode at a time.
    let r = app
        .call("connect-microsoft", &connect("single", CLIENT_SECRET))
        .await;
    match r {
        Err(app::error::AppError::InUse { message }) => {
            assert!(message.contains("Disconnect it first"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    let view = app.call("microsoft-integration", &[]).await.unwrap();
    assert_eq!(view["connection"]["mode"], "csp");
    // Sync Now answers at once with the job; the job runs on and leaves its report.
    let job = app.call("sync-microsoft", &[("back", "/")]).await.unwrap();
    assert!(
        job["progress"]
            .as_str()
            .unwrap()
            .starts_with("Sync Now by admin@msp-a.example"),
        "{job}"
    );
    // The page shows the job while it runs (or its report, if it was quick).
    let view = app.call("microsoft-integration", &[]).await.unwrap();
    assert!(
        !view["running"].is_null() || !view["last_sync"].is_null(),
        "neither the running job nor its report: {view}"
    );
    let account = account_of(&app).await;
    let report = finished_report(&*app.store, &account, "Sync Now by admin@msp-a.example").await;
    assert_eq!((report.added, report.failure_count), (6, 4));
    // The secret is never sent back, in any form, and the pages show the sync.
    let sealed = app
        .store
        .integration(&account_of(&app).await)
        .await
        .unwrap()
        .unwrap()
        .secret;
    for path in ["/admin/microsoft-integration", "/admin/microsoft-tenants"] {
        let html = app.page(path).await;
        for secret in [
            CLIENT_SECRET,
            sealed.ciphertext.as_str(),
            sealed.nonce.as_str(),
        ] {
            assert!(!html.contains(secret), "{path} shows the secret");
        }
    }
    let view = app.call("microsoft-integration", &[]).await.unwrap();
    assert!(!view.to_string().contains(CLIENT_SECRET));
    let integration_page = app.page("/admin/microsoft-integration").await;
    assert!(integration_page.contains("Connected as Cloud Solution Provider (CSP)"));
    assert!(integration_page.contains("No consent"));
    let tenants_page = app.page("/admin/microsoft-tenants?q=Northwind").await;
    assert!(tenants_page.contains("No consent"), "{tenants_page}");
    // Disconnect: the tenants stay, shown as not synced.
    let version = view["connection"]["version"].to_string();
    app.call("disconnect-microsoft", &[("version", &version)])
        .await
        .unwrap();
    let tenants_page = app.page("/admin/microsoft-tenants").await;
    assert!(tenants_page.contains("Contoso Group"));
    assert!(tenants_page.contains("Not synced"));
    let r = app.call("sync-microsoft", &[("back", "/")]).await;
    assert!(
        matches!(r, Err(app::error::AppError::Validation { .. })),
        "{r:?}"
    );
}

async fn account_of(app: &TestApp) -> AccountId {
    app.store
        .user_by_email(&Email::parse("admin@msp-a.example").unwrap())
        .await
        .unwrap()
        .unwrap()
        .account
}

/// `server serve`'s timer: every interval, each connected account syncs without anyone asking.
#[tokio::test]
async fn the_local_timer_syncs_connected_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(server::store::EmbeddedStore::open(dir.path()).unwrap());
    let fake = FakeMicrosoft::start(World::sample()).await;
    let ms = Arc::new(fake_client(&fake));
    let (account, _) =
        server::tasks::create_account(&*store, "MSP T", "admin@msp-t.example", PASSWORD)
            .await
            .unwrap();
    connect(
        &*store,
        &ms,
        &account,
        IntegrationMode::Csp,
        PARTNER_TENANT,
        CLIENT_SECRET,
    )
    .await;
    let jobs = Arc::new(app::services::sync_job::LocalJobs {
        store: store.clone(),
        microsoft: ms,
    });
    server::jobs::schedule_syncs(
        store.clone(),
        jobs,
        Some(std::time::Duration::from_millis(200)),
    );
    let mut report = None;
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        report = store.sync_report(&account).await.unwrap();
        if report.is_some() {
            break;
        }
    }
    let report = report.expect("the timer ran a sync within 10 s");
    assert_eq!((report.trigger.as_str(), report.added), ("Scheduled", 6));
}
