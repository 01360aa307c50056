//! Entra ID User Sync against the fake Microsoft, on both stores: the real Graph client reads
//! `/users/delta` (paged, then from the kept delta link), and the End Users land under the
//! Organizations the routing rules name — first run, incremental run, renamed email, leaver,
//! returning user, expired delta token, the brake, and missing consent.

use crate::helpers::*;
use app::domain::Ctx;
use app::domain::end_users::sync::*;
use app::domain::end_users::{EndUserFilter, EndUserForm, EndUserSource};
use app::domain::mapping::rules::{self, Parent};
use app::domain::*;
use app::error::AppError;
use app::microsoft::Microsoft;
use app::services::sync_job::sync_account;
use app::services::user_sync::{RunRequest, run};
use app::store::prelude::*;
use server::fake_microsoft::{
    CLIENT_SECRET, FakeCustomer, FakeMicrosoft, FakeUser, PARTNER_TENANT, World,
};
use std::sync::Arc;

fn ctx() -> Ctx {
    Ctx {
        actor: "admin@msp.example".into(),
        now: app::domain::now(),
        audit_id: uuid::Uuid::new_v4().to_string(),
    }
}

fn foggy() -> FakeCustomer {
    let mut c = FakeCustomer::new(7, "Foggy IT", "foggyit.onmicrosoft.com");
    let mut bob = FakeUser::new(2, "Bob Stone", "bob@boston.foggy.example", "Boston Office");
    bob.aliases = vec!["robert@foggy.example".into()];
    let mut gus = FakeUser::new(
        5,
        "Gus Guest",
        "gus_partner.example#EXT#@foggyit.onmicrosoft.com",
        "Boston Office",
    );
    gus.mail = "gus@partner.example".into();
    gus.guest = true;
    let mut reception = FakeUser::new(
        6,
        "Reception",
        "reception@boston.foggy.example",
        "Boston Office",
    );
    reception.purpose = Some("shared".into());
    let mut dan = FakeUser::new(7, "Dan Gone", "dan@boston.foggy.example", "Boston Office");
    dan.enabled = false;
    for u in [
        FakeUser::new(1, "Ann Lee", "ann@boston.foggy.example", "Boston Office"),
        bob,
        FakeUser::new(3, "Walt Ham", "walt@waltham.foggy.example", "Sales"),
        FakeUser::new(4, "Wendy Wu", "wendy@waltham.foggy.example", ""),
        gus,
        reception,
        dan,
        FakeUser::new(8, "Nora North", "nora@foggy.example", "Finance"),
    ] {
        c.add_user(u);
    }
    c
}

struct Setup {
    fake: FakeMicrosoft,
    ms: Microsoft,
    account: AccountId,
    st: SyncroTenant,
    boston: Organization,
    waltham: Organization,
    settings: UserSyncSettings,
}

async fn setup(store: &dyn Store) -> Setup {
    let mut world = World::sample();
    world.customers.push(foggy());
    world.page_size = 3;
    let fake = FakeMicrosoft::start(world).await;
    let ms = fake_client(&fake);
    let (account, _) = server::tasks::create_account(store, "MSP A", "admin@msp.example", PASSWORD)
        .await
        .unwrap();
    server::fake_microsoft::connect_account(
        store,
        ms.key().unwrap(),
        &account,
        IntegrationMode::Csp,
        PARTNER_TENANT,
        CLIENT_SECRET,
    )
    .await
    .unwrap();
    sync_account(
        store,
        &ms,
        &account,
        "Sync Now by test",
        "admin@msp.example",
    )
    .await
    .unwrap();
    let tenant = MicrosoftTenantId::parse("00000007-0000-4000-8000-00000000c0de").unwrap();
    let mt = store
        .microsoft_tenant(&account, tenant)
        .await
        .unwrap()
        .unwrap();
    let (b, st_id) = (
        OrganizationId::from_uuid(uuid::Uuid::new_v4()),
        SyncroTenantId::from_uuid(uuid::Uuid::new_v4()),
    );
    let name = |n: &str| OrganizationName::parse(n).unwrap();
    store
        .apply(
            &account,
            rules::create_organization(
                &ctx(),
                b,
                name("Foggy IT Services - Boston"),
                Default::default(),
                Parent::Automatic(st_id),
            ),
        )
        .await
        .unwrap();
    let st = store.syncro_tenant(&account, st_id).await.unwrap().unwrap();
    let w = OrganizationId::from_uuid(uuid::Uuid::new_v4());
    store
        .apply(
            &account,
            rules::create_organization(
                &ctx(),
                w,
                name("Foggy IT Services - Waltham"),
                Default::default(),
                Parent::Existing(&st),
            ),
        )
        .await
        .unwrap();
    let st = store.syncro_tenant(&account, st_id).await.unwrap().unwrap();
    store
        .apply(
            &account,
            rules::map_tenant(&ctx(), &mt, mt.version, &st).unwrap(),
        )
        .await
        .unwrap();
    let st = store.syncro_tenant(&account, st_id).await.unwrap().unwrap();
    let boston = store.organization(&account, b).await.unwrap().unwrap();
    let waltham = store.organization(&account, w).await.unwrap().unwrap();
    let settings = UserSyncSettings {
        syncro_tenant: st.id,
        filters: UserFilters::default(),
        rules: vec![
            RoutingRule {
                field: RuleField::Department,
                value: "Boston Office".into(),
                organization: boston.id,
            },
            RoutingRule {
                field: RuleField::Domain,
                value: "waltham.foggy.example".into(),
                organization: waltham.id,
            },
        ],
        default_organization: None,
        brake_percent: DEFAULT_BRAKE_PERCENT,
        approved_at: Some(ctx().now),
        version: Version(1),
        updated_at: ctx().now,
        updated_by: "admin@msp.example".into(),
    };
    let mut c = ChangeSet::default();
    c.push(Write::PutUserSync {
        record: settings.clone(),
        expect: Expect::Absent,
    });
    store.apply(&account, c).await.unwrap();
    Setup {
        fake,
        ms,
        account,
        st,
        boston,
        waltham,
        settings,
    }
}

fn request(trigger: &str) -> RunRequest {
    RunRequest {
        trigger: trigger.into(),
        actor: "admin@msp.example".into(),
        preview: false,
        full: false,
        past_the_brake: false,
    }
}

/// The names listed under an Organization, active (or inactive).
async fn names(store: &dyn Store, s: &Setup, org: &Organization, inactive: bool) -> Vec<String> {
    let filter = EndUserFilter {
        inactive,
        words: String::new(),
    };
    store
        .end_users(&s.account, org.id, &filter, None, 100)
        .await
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.name)
        .collect()
}

async fn scenario(store: Arc<dyn Store>) {
    let store = &*store;
    let s = setup(store).await;
    // Bob was added by hand under his old address, before the sync.
    let draft = app::domain::end_users::EndUserDraft::parse(&EndUserForm {
        name: "Robert Stone".into(),
        email: "robert@foggy.example".into(),
        ..EndUserForm::default()
    })
    .unwrap();
    let bob_id = EndUserId::from_uuid(uuid::Uuid::new_v4());
    store
        .apply(
            &s.account,
            app::domain::end_users::add(&ctx(), bob_id, &s.boston, draft),
        )
        .await
        .unwrap();

    // The preview says what the first run would do, and writes nothing.
    let preview = run(
        store,
        &s.ms,
        &s.account,
        &s.st,
        &s.settings,
        &RunRequest {
            preview: true,
            ..request("Preview")
        },
    )
    .await;
    assert_eq!(preview.report.error, None);
    assert_eq!(
        (
            preview.report.created,
            preview.report.linked,
            preview.report.skipped
        ),
        (3, 1, 4),
        "{:?}",
        preview.report
    );
    assert!(
        preview
            .people
            .iter()
            .any(|p| p.name == "Bob Stone" && p.what == "Match")
    );
    assert_eq!(names(store, &s, &s.boston, false).await, ["Robert Stone"]);
    assert!(
        store
            .user_sync_state(&s.account, s.st.id)
            .await
            .unwrap()
            .is_none()
    );

    // First run: everyone routed, Bob matched by his alias (not duplicated); the guest, the
    // shared mailbox, the disabled account and the unrouted one left out.
    let first = run(
        store,
        &s.ms,
        &s.account,
        &s.st,
        &s.settings,
        &request("Sync Now by test"),
    )
    .await
    .report;
    assert_eq!(first.error, None);
    assert!(first.full);
    assert_eq!(
        (first.created, first.linked, first.skipped),
        (3, 1, 4),
        "{first:?}"
    );
    assert_eq!(
        names(store, &s, &s.boston, false).await,
        ["Ann Lee", "Bob Stone"]
    );
    assert_eq!(
        names(store, &s, &s.waltham, false).await,
        ["Walt Ham", "Wendy Wu"]
    );
    let bob = store.end_user(&s.account, bob_id).await.unwrap().unwrap();
    assert!(matches!(bob.source, EndUserSource::Entra { .. }));
    assert_eq!(bob.email.unwrap().as_str(), "bob@boston.foggy.example");
    assert!(
        s.fake.world().seen("delta maxpagesize=999") >= 3,
        "delta pages are asked for at Graph's largest size"
    );
    let state = store
        .user_sync_state(&s.account, s.st.id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        state
            .delta_link
            .as_deref()
            .unwrap()
            .contains("$deltatoken=")
    );
    assert_eq!(state.synced_active, 4);

    // Nothing changed: the next run reads only changes (none).
    let seen = s.fake.world().seen("graph:/v1.0/users/delta");
    let quiet = run(
        store,
        &s.ms,
        &s.account,
        &s.st,
        &s.settings,
        &request("Scheduled"),
    )
    .await
    .report;
    assert!(!quiet.full);
    assert_eq!(quiet.summary(), "no changes");
    assert_eq!(
        s.fake.world().seen("graph:/v1.0/users/delta"),
        seen + 1,
        "one page of changes"
    );

    // Ann's email is renamed, Walt leaves the company.
    {
        let mut w = s.fake.world();
        let c = w
            .customers
            .iter_mut()
            .find(|c| c.contract_name == "Foggy IT")
            .unwrap();
        c.change_user("ann@boston.foggy.example", |u| {
            u.mail = "ann.lee@boston.foggy.example".into();
            u.job_title = "Practice Manager".into();
        });
        c.change_user("walt@waltham.foggy.example", |u| u.deleted = true);
    }
    let changed = run(
        store,
        &s.ms,
        &s.account,
        &s.st,
        &s.settings,
        &request("Scheduled"),
    )
    .await
    .report;
    assert_eq!(
        (changed.updated, changed.deactivated, changed.created),
        (1, 1, 0),
        "{changed:?}"
    );
    assert_eq!(
        names(store, &s, &s.waltham, true).await,
        ["Walt Ham"],
        "kept, inactive"
    );
    assert_eq!(names(store, &s, &s.waltham, false).await, ["Wendy Wu"]);
    let ann = store
        .end_users_by_emails(&s.account, &["ann.lee@boston.foggy.example".into()])
        .await
        .unwrap();
    assert_eq!(ann.len(), 1);
    assert_eq!(ann[0].job_title, "Practice Manager");
    assert_eq!(
        names(store, &s, &s.boston, false).await,
        ["Ann Lee", "Bob Stone"],
        "no duplicate"
    );

    // Walt comes back (restored within 30 days: the same object id).
    {
        let mut w = s.fake.world();
        let c = w
            .customers
            .iter_mut()
            .find(|c| c.contract_name == "Foggy IT")
            .unwrap();
        c.change_user("walt@waltham.foggy.example", |u| u.deleted = false);
    }
    // This time through the Microsoft sync job, which runs every applied user sync.
    sync_account(store, &s.ms, &s.account, "Scheduled", "Scheduled sync")
        .await
        .unwrap();
    let back = store
        .user_sync_state(&s.account, s.st.id)
        .await
        .unwrap()
        .unwrap()
        .last_report
        .unwrap();
    assert_eq!(
        (back.trigger.as_str(), back.reactivated),
        ("Scheduled", 1),
        "{back:?}"
    );
    assert_eq!(
        names(store, &s, &s.waltham, false).await,
        ["Walt Ham", "Wendy Wu"]
    );

    // Microsoft forgets the delta token: every user is read again, links kept, nothing doubled.
    s.fake
        .world()
        .customers
        .iter_mut()
        .find(|c| c.contract_name == "Foggy IT")
        .unwrap()
        .expire_delta_tokens();
    let resync = run(
        store,
        &s.ms,
        &s.account,
        &s.st,
        &s.settings,
        &request("Scheduled"),
    )
    .await
    .report;
    assert_eq!(resync.error, None);
    assert!(
        resync.full
            && resync
                .notes
                .iter()
                .any(|n| n.contains("every user was read again")),
        "{resync:?}"
    );
    assert_eq!((resync.created, resync.deactivated), (0, 0), "{resync:?}");
    assert_eq!(
        names(store, &s, &s.boston, false).await,
        ["Ann Lee", "Bob Stone"]
    );

    // The brake: 4 of 5 synced people leave at once — nothing is written until confirmed.
    {
        let mut w = s.fake.world();
        let c = w
            .customers
            .iter_mut()
            .find(|c| c.contract_name == "Foggy IT")
            .unwrap();
        for upn in [
            "ann@boston.foggy.example",
            "bob@boston.foggy.example",
            "walt@waltham.foggy.example",
            "wendy@waltham.foggy.example",
        ] {
            c.change_user(upn, |u| u.enabled = false);
        }
    }
    let held = run(
        store,
        &s.ms,
        &s.account,
        &s.st,
        &s.settings,
        &request("Scheduled"),
    )
    .await
    .report;
    assert!(
        held.braked
            .as_deref()
            .is_some_and(|b| b.contains("deactivate 4 of 4")),
        "{held:?}"
    );
    assert_eq!(
        names(store, &s, &s.boston, false).await,
        ["Ann Lee", "Bob Stone"],
        "the brake held"
    );
    let kept = store
        .user_sync_state(&s.account, s.st.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.last_report.unwrap().braked, held.braked);
    let confirmed = run(
        store,
        &s.ms,
        &s.account,
        &s.st,
        &s.settings,
        &RunRequest {
            past_the_brake: true,
            ..request("Applied anyway")
        },
    )
    .await
    .report;
    assert_eq!(confirmed.deactivated, 4, "{confirmed:?}");
    assert!(names(store, &s, &s.boston, false).await.is_empty());

    // Without consent for users in that tenant: a clear error, nothing changed.
    s.fake
        .world()
        .customers
        .iter_mut()
        .find(|c| c.contract_name == "Foggy IT")
        .unwrap()
        .users_granted = false;
    let refused = run(
        store,
        &s.ms,
        &s.account,
        &s.st,
        &s.settings,
        &request("Scheduled"),
    )
    .await
    .report;
    assert!(
        refused
            .error
            .as_deref()
            .is_some_and(|e| e.contains("User.Read.All")),
        "{refused:?}"
    );
    assert_eq!(
        names(store, &s, &s.boston, true).await,
        ["Ann Lee", "Bob Stone"]
    );
}

#[tokio::test]
async fn user_sync_on_the_embedded_store() {
    let dir = tempfile::tempdir().unwrap();
    scenario(Arc::new(
        server::store::EmbeddedStore::open(dir.path()).unwrap(),
    ))
    .await;
}

#[tokio::test]
async fn user_sync_on_dynamodb() {
    let (store, _) = server::store::dynamo::testing::fresh_store().await;
    scenario(Arc::new(store)).await;
}

/// The pages, over HTTP as a browser without JavaScript posts them: set up on the Syncro
/// Tenant's page, two routing rules, the preview, apply; the End Users under the right offices.
async fn pages_over_http(app: TestApp) {
    app.fake.world().customers.push(foggy());
    let csp = [
        ("mode", "csp"),
        ("directory_tenant", PARTNER_TENANT),
        ("client_id", server::fake_microsoft::CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
    ];
    app.call("connect-microsoft", &csp).await.unwrap();
    app.call("sync-microsoft", &[("back", "/")]).await.unwrap();
    let me = app
        .store
        .user_by_email(&Email::parse("admin@msp-a.example").unwrap())
        .await
        .unwrap()
        .unwrap();
    finished_report(&*app.store, &me.account, "Sync Now by admin@msp-a.example").await;
    let boston = app
        .create_organization("Foggy IT Services - Boston", "")
        .await
        .unwrap();
    let st = app.organization(&boston).await.unwrap()["syncro_tenant"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let waltham = app
        .create_organization("Foggy IT Services - Waltham", &st)
        .await
        .unwrap();
    let foggy_id = "00000007-0000-4000-8000-00000000c0de";
    let v = app.tenant(foggy_id).await["version"].to_string();
    app.map_tenant(foggy_id, &v, &st).await.unwrap();

    let page = |path: String| {
        let app = &app;
        async move { app.page(&path).await.replace("<!>", "") }
    };
    let html = page(format!("/syncro-tenants/{st}")).await;
    assert!(
        html.contains("Set Up Entra ID User Sync"),
        "no setup button"
    );
    let html = page(format!("/syncro-tenants/{st}/user-sync")).await;
    for shown in [
        "Routing rules",
        "Foggy IT Services - Waltham",
        "User.Read.All",
        "Leave unassigned (not brought in)",
    ] {
        assert!(html.contains(shown), "setup page lacks {shown}");
    }

    // A rule naming another Syncro Tenant's Organization is refused by its field.
    let other = app.create_organization("Acme Dental", "").await.unwrap();
    let form = |org: &str| {
        vec![
            ("syncro_tenant", st.clone()),
            ("version", "0".to_string()),
            ("kinds", "members".to_string()),
            ("enabled_only", "true".to_string()),
            ("exclude_non_people", "true".to_string()),
            ("rule_field[]", "department".to_string()),
            ("rule_value[]", "Boston Office".to_string()),
            ("rule_org[]", org.to_string()),
            ("rule_field[]", "domain".to_string()),
            ("rule_value[]", "waltham.foggy.example".to_string()),
            ("rule_org[]", waltham.clone()),
            ("rule_field[]", "department".to_string()),
            ("rule_value[]", String::new()),
            ("rule_org[]", boston.clone()),
            ("default_organization", String::new()),
            ("brake_percent", "10".to_string()),
        ]
    };
    match app
        .call(
            "save-user-sync",
            &crate::helpers::fixture::form(&form(&other)),
        )
        .await
    {
        Err(AppError::Validation { field, .. }) => assert_eq!(field, "rules"),
        r => panic!("{r:?}"),
    }
    let res = app
        .browser_post(
            "save-user-sync",
            &[(
                "referer",
                format!("http://localhost/syncro-tenants/{st}/user-sync"),
            )],
            &crate::helpers::fixture::form(&form(&boston)),
        )
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    let preview_path = res.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(
        preview_path,
        format!("/syncro-tenants/{st}/user-sync/preview")
    );
    // Saved again from the same page: stale.
    assert_eq!(
        app.call(
            "save-user-sync",
            &crate::helpers::fixture::form(&form(&boston))
        )
        .await,
        Err(AppError::Stale)
    );

    // The preview: who would be created where; nothing written yet.
    let html = page(preview_path).await;
    assert!(
        html.contains("Applying would: 4 created."),
        "{}",
        &html[html.find("<main").unwrap_or(0)..]
    );
    assert!(html.contains("4 users are not brought in"));
    for row in [
        "<td data-label=\"What\">Create</td><td data-label=\"Name\">Ann Lee</td><td data-label=\"Email\">ann@boston.foggy.example</td><td data-label=\"Organization\">Foggy IT Services - Boston</td>",
        "<td data-label=\"Name\">Walt Ham</td><td data-label=\"Email\">walt@waltham.foggy.example</td><td data-label=\"Organization\">Foggy IT Services - Waltham</td>",
    ] {
        assert!(html.contains(row), "preview lacks {row}");
    }
    assert!(
        page(format!("/organizations/{boston}/end-users"))
            .await
            .contains("No active End Users yet.")
    );
    let html = page(format!("/syncro-tenants/{st}")).await;
    assert!(html.contains("Settings saved but not applied"));

    // A Technician can neither preview nor run it.
    let tech = app.add_user("tech@msp-a.example", "technician").await;
    assert_eq!(
        app.call_as(Some(&tech), "preview-user-sync", &[("syncro_tenant", &st)])
            .await,
        Err(AppError::NotAllowed)
    );

    // Apply: approved and synced now; the page says what it did.
    let res = app
        .browser_post(
            "apply-user-sync",
            &[(
                "referer",
                format!("http://localhost/syncro-tenants/{st}/user-sync/preview"),
            )],
            &[("syncro_tenant", &st), ("version", "1")],
        )
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    let html = page(format!("/syncro-tenants/{st}")).await;
    assert!(
        html.contains("4 created"),
        "no report on the Syncro Tenant's page"
    );
    assert!(html.contains("Sync Users Now"));
    let boston_people = page(format!("/organizations/{boston}/end-users")).await;
    assert!(boston_people.contains(">Ann Lee</a>") && boston_people.contains(">Bob Stone</a>"));
    assert!(!boston_people.contains(">Walt Ham</a>"));
    let waltham_people = page(format!("/organizations/{waltham}/end-users")).await;
    assert!(waltham_people.contains(">Walt Ham</a>") && waltham_people.contains(">Wendy Wu</a>"));
    assert!(waltham_people.contains("Entra ID"), "the source column");

    // A leaver, then Sync Users Now: inactive under Waltham.
    app.fake
        .world()
        .customers
        .iter_mut()
        .find(|c| c.contract_name == "Foggy IT")
        .unwrap()
        .change_user("walt@waltham.foggy.example", |u| u.deleted = true);
    app.call("sync-users-now", &[("syncro_tenant", &st)])
        .await
        .unwrap();
    let inactive = page(format!("/organizations/{waltham}/end-users?inactive=1")).await;
    assert!(inactive.contains(">Walt Ham</a>"));
    assert!(
        page(format!("/syncro-tenants/{st}"))
            .await
            .contains("1 deactivated")
    );

    // Disconnected: both pages say so before any button, and offer the way back.
    let view = app.call("microsoft-integration", &[]).await.unwrap();
    let version = view["connection"]["version"].to_string();
    app.call("disconnect-microsoft", &[("version", &version)])
        .await
        .unwrap();
    let not_connected = "reads from Microsoft, and this account is not connected to Microsoft yet.";
    let html = page(format!("/syncro-tenants/{st}")).await;
    assert!(
        html.contains(&format!("Sync Now {not_connected}")),
        "{html}"
    );
    assert!(html.contains(&format!("Entra ID User Sync {not_connected}")));
    assert!(html.contains(r#"href="/admin/microsoft-integration">Connect Microsoft</a>"#));
    assert!(!html.contains(">Sync Now</button>") && !html.contains("Sync Users Now"));
    assert!(html.contains("1 deactivated"), "the last run stays");
    let html = page(format!("/syncro-tenants/{st}/user-sync")).await;
    assert!(html.contains(&format!("Entra ID User Sync {not_connected}")));
    assert!(!html.contains("Routing rules"), "no form that cannot work");
    let html = app
        .get_as(Some(&tech), &format!("/syncro-tenants/{st}"))
        .await
        .text()
        .await
        .unwrap()
        .replace("<!>", "");
    assert!(html.contains("An Administrator connects it"), "{html}");
    assert!(!html.contains("Connect Microsoft</a>"));
}

#[tokio::test]
async fn pages_over_http_on_the_embedded_store() {
    pages_over_http(spawn_app().await).await;
}

#[tokio::test]
async fn pages_over_http_on_dynamodb() {
    let (store, _) = server::store::dynamo::testing::fresh_store().await;
    let mut app = spawn_with(Arc::new(store), tempfile::tempdir().unwrap()).await;
    app.cookie = Some(app.create_account("MSP A", "admin@msp-a.example").await);
    pages_over_http(app).await;
}

/// Group filters and rules read membership through `transitiveMembers`: a member of a nested
/// group counts.
async fn groups_nested(store: Arc<dyn Store>) {
    let store = &*store;
    let s = setup(store).await;
    let (outer, inner) = (
        "6a000000-0000-4000-8000-000000000001".to_string(),
        "6a000000-0000-4000-8000-000000000002".to_string(),
    );
    {
        let mut w = s.fake.world();
        let c = w
            .customers
            .iter_mut()
            .find(|c| c.contract_name == "Foggy IT")
            .unwrap();
        let id = |upn: &str| c.users.iter().find(|u| u.upn == upn).unwrap().id.clone();
        let (ann, walt, bob) = (
            id("ann@boston.foggy.example"),
            id("walt@waltham.foggy.example"),
            id("bob@boston.foggy.example"),
        );
        c.groups = vec![
            server::fake_microsoft::FakeGroup {
                id: outer.clone(),
                members: vec![inner.clone(), bob],
            },
            server::fake_microsoft::FakeGroup {
                id: inner.clone(),
                members: vec![ann, walt],
            },
        ];
    }
    let settings = UserSyncSettings {
        filters: UserFilters {
            groups: vec![outer.clone()],
            ..UserFilters::default()
        },
        rules: vec![RoutingRule {
            field: RuleField::Group,
            value: inner.clone(),
            organization: s.waltham.id,
        }],
        default_organization: Some(s.boston.id),
        ..s.settings.clone()
    };
    let preview = run(
        store,
        &s.ms,
        &s.account,
        &s.st,
        &settings,
        &RunRequest {
            preview: true,
            ..request("Preview")
        },
    )
    .await;
    assert_eq!(preview.report.error, None);
    let mut placed: Vec<(String, bool)> = preview
        .people
        .iter()
        .map(|p| (p.name.clone(), p.organization == Some(s.waltham.id)))
        .collect();
    placed.sort();
    assert_eq!(
        placed,
        [
            ("Ann Lee".to_string(), true),
            ("Bob Stone".to_string(), false),
            ("Walt Ham".to_string(), true)
        ]
    );
    assert_eq!(
        s.fake
            .world()
            .seen("graph:/v1.0/groups/{id}/transitiveMembers"),
        2,
        "outer and inner, once each"
    );
}

#[tokio::test]
async fn group_filters_and_rules_on_the_embedded_store() {
    let dir = tempfile::tempdir().unwrap();
    groups_nested(Arc::new(
        server::store::EmbeddedStore::open(dir.path()).unwrap(),
    ))
    .await;
}

#[tokio::test]
async fn group_filters_and_rules_on_dynamodb() {
    let (store, _) = server::store::dynamo::testing::fresh_store().await;
    groups_nested(Arc::new(store)).await;
}

/// A customer's directory in memory: the sync's own logic (filters, mailbox purposes, group
/// rules, delta links) without HTTP. `refuse_mailboxes`: as without `MailboxSettings.Read`.
#[derive(Clone, Default)]
struct Memory {
    users: Vec<EntraUser>,
    groups: std::collections::HashMap<String, std::collections::HashSet<String>>,
    purposes: std::collections::HashMap<String, String>,
    refuse_mailboxes: bool,
}

#[async_trait::async_trait]
impl app::microsoft::users::Directory for Memory {
    async fn users(
        &self,
        delta_link: Option<&str>,
    ) -> Result<app::microsoft::users::UsersRead, app::microsoft::GraphError> {
        Ok(app::microsoft::users::UsersRead {
            users: self.users.clone(),
            delta_link: "memory:1".into(),
            full: delta_link.is_none(),
            resynced: false,
        })
    }
    async fn user(&self, id: &str) -> Result<EntraUser, app::microsoft::GraphError> {
        Ok(self
            .users
            .iter()
            .find(|u| u.object_id == id)
            .cloned()
            .unwrap())
    }
    async fn group_members(
        &self,
        group: &str,
    ) -> Result<std::collections::HashSet<String>, app::microsoft::GraphError> {
        Ok(self.groups.get(group).cloned().unwrap_or_default())
    }
    async fn mailbox_purpose(
        &self,
        id: &str,
    ) -> Result<Option<String>, app::microsoft::GraphError> {
        if self.refuse_mailboxes {
            return Err(app::microsoft::GraphError::Api {
                status: 403,
                code: "ErrorAccessDenied".into(),
                message: "Access is denied.".into(),
            });
        }
        Ok(self.purposes.get(id).cloned())
    }
}

#[async_trait::async_trait]
impl app::microsoft::users::Directories for Memory {
    async fn directory<'a>(
        &'a self,
        _: &dyn Store,
        _: &AccountId,
        _: MicrosoftTenantId,
    ) -> Result<Box<dyn app::microsoft::users::Directory + 'a>, String> {
        Ok(Box::new(self.clone()))
    }
}

fn person(n: u32, name: &str, email: &str, department: &str) -> EntraUser {
    EntraUser {
        object_id: format!("00000000-0000-4000-8000-{n:012}"),
        display_name: Some(name.into()),
        mail: Some(email.into()),
        user_principal_name: Some(email.into()),
        department: Some(department.into()),
        account_enabled: Some(true),
        guest: Some(false),
        licensed: Some(true),
        ..EntraUser::default()
    }
}

/// Shared, room and equipment mailboxes are left out when asked; without the permission to
/// tell them apart, everyone is brought in and the report says which permission would help;
/// a group rule routes its members (against a directory in memory, on the embedded store).
#[tokio::test]
async fn mailboxes_and_groups_against_a_directory_in_memory() {
    let dir_on_disk = tempfile::tempdir().unwrap();
    let store = server::store::EmbeddedStore::open(dir_on_disk.path()).unwrap();
    let store: &dyn Store = &store;
    let s = setup(store).await;
    let front_desk = person(3, "Front Desk", "desk@foggy.example", "Boston Office");
    let mut dir = Memory {
        users: vec![
            person(1, "Ann Lee", "ann@foggy.example", "Boston Office"),
            person(2, "Walt Ham", "walt@foggy.example", "Sales"),
            front_desk.clone(),
        ],
        ..Memory::default()
    };
    dir.purposes
        .insert(front_desk.object_id.clone(), "shared".into());
    dir.groups.insert(
        "waltham-staff".into(),
        [person(2, "", "", "").object_id].into_iter().collect(),
    );
    let mut settings = s.settings.clone();
    settings.filters.exclude_non_people = true;
    settings.rules.push(RoutingRule {
        field: RuleField::Group,
        value: "waltham-staff".into(),
        organization: s.waltham.id,
    });
    let preview = RunRequest {
        preview: true,
        ..request("Preview by test")
    };
    let people =
        |r: &app::services::user_sync::RunResult| -> Vec<(String, Option<OrganizationId>)> {
            let mut p: Vec<_> = r
                .people
                .iter()
                .map(|p| (p.name.clone(), p.organization))
                .collect();
            p.sort();
            p
        };
    let r = run(store, &dir, &s.account, &s.st, &settings, &preview).await;
    assert_eq!(r.report.error, None);
    assert_eq!(
        people(&r),
        [
            ("Ann Lee".to_string(), Some(s.boston.id)),
            ("Walt Ham".to_string(), Some(s.waltham.id)),
        ]
    );
    assert!(
        r.report
            .not_brought_in
            .iter()
            .any(|(who, why)| who.contains("Front Desk") && why.contains("shared")),
        "{:?}",
        r.report.not_brought_in
    );

    dir.refuse_mailboxes = true;
    let r = run(store, &dir, &s.account, &s.st, &settings, &preview).await;
    assert_eq!(people(&r).len(), 3, "not told apart: brought in");
    assert!(
        r.report
            .notes
            .iter()
            .any(|n| n.contains("MailboxSettings.Read")),
        "{:?}",
        r.report.notes
    );
    drop(s.fake);
}
