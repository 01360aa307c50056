//! Account A with real records, a Technician and another account's Administrator, and every
//! server function with arguments naming those records: the cases `authz.rs` calls as each
//! role and `fuzz.rs` mutates.

use super::*;
use app::domain::{AccountId, Email, EndUserId, OrganizationId, SyncroTenantId, UserId};
use app::store::{MappingFilter, ParentFilter};
use app::wire::ListQuery;
use server::fake_microsoft as fake;

pub const T1: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub const T2: &str = "0b5e7c1a-1111-4c2b-9a11-000000000002";
pub const T3: &str = "0b5e7c1a-1111-4c2b-9a11-000000000003";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// Reads the caller's account: Technicians may call it.
    Read,
    /// Reads only Administrators may see (Admin > Users).
    AdminRead,
    /// Changes something: Administrators only (R6).
    Change,
}

/// Account A's records, as the tests name them.
pub struct Fixture {
    pub account: AccountId,
    pub org_a: OrganizationId,
    pub org_b: OrganizationId,
    pub st_a: SyncroTenantId,
    pub st_b: SyncroTenantId,
    pub st_empty: SyncroTenantId,
    pub tech: UserId,
    /// Ann Lee, an End User of Alpha Dental.
    pub eu_a: EndUserId,
}

pub type Args = Vec<(&'static str, String)>;

/// The server functions that are not about records: they have their own test below.
pub const SESSION_FUNCTIONS: [&str; 4] = [
    "/api/sign-in",
    "/api/sign-out",
    "/api/set-up",
    "/api/may-set-up",
];

/// The current version of a record of account A, read from the store (so (d) can run the
/// changes one after another).
pub async fn versions(
    app: &TestApp,
    f: &Fixture,
) -> std::collections::HashMap<&'static str, String> {
    let s = &*app.store;
    let a = &f.account;
    let v = |x: u64| x.to_string();
    let mut m = std::collections::HashMap::new();
    for (k, id) in [("st_a", f.st_a), ("st_b", f.st_b), ("st_empty", f.st_empty)] {
        if let Some(st) = s.syncro_tenant(a, id).await.unwrap() {
            m.insert(k, v(st.version.0));
        }
    }
    for (k, id) in [("org_a", f.org_a), ("org_b", f.org_b)] {
        if let Some(o) = s.organization(a, id).await.unwrap() {
            m.insert(k, v(o.version.0));
        }
    }
    for (k, id) in [("t1", T1), ("t2", T2)] {
        let id = app::domain::MicrosoftTenantId::parse(id).unwrap();
        if let Some(t) = s.microsoft_tenant(a, id).await.unwrap() {
            m.insert(k, v(t.version.0));
        }
    }
    if let Some(u) = s.user_sync(a, f.st_a).await.unwrap() {
        m.insert("usync", v(u.version.0));
    }
    if let Some(e) = s.end_user(a, f.eu_a).await.unwrap() {
        m.insert("eu_a", v(e.version.0));
    }
    if let Some(u) = s.user(a, f.tech).await.unwrap() {
        m.insert("tech", v(u.version.0));
    }
    if let Some(i) = s.integration(a).await.unwrap() {
        m.insert("integration", v(i.version.0));
    }
    m
}

/// Every server function with arguments naming account A's real records. `phase` keeps names
/// that a successful call would create apart between phases.
pub async fn cases(app: &TestApp, f: &Fixture, phase: &str) -> Vec<(&'static str, Kind, Args)> {
    let v = versions(app, f).await;
    let ver = |k: &str| v.get(k).cloned().unwrap_or_else(|| "1".into());
    let s = |x: &str| x.to_string();
    let (org_a, org_b) = (f.org_a.to_string(), f.org_b.to_string());
    let (st_a, st_b, st_empty) = (
        f.st_a.to_string(),
        f.st_b.to_string(),
        f.st_empty.to_string(),
    );
    let tech = f.tech.to_string();
    let eu_a = f.eu_a.to_string();
    let end_user = |name: String, email: String| {
        vec![
            ("name", name),
            ("email", email),
            ("other_emails", s("")),
            ("job_title", s("Engineer")),
            ("department", s("")),
            ("office_location", s("")),
            ("phone", s("")),
        ]
    };
    let mut create_end_user = end_user(
        format!("Probe Person {phase}"),
        format!("probe-{phase}@alpha.example"),
    );
    create_end_user.insert(0, ("organization", org_a.clone()));
    let mut update_end_user = end_user(format!("Ann Lee {phase}"), s("ann@alpha.example"));
    update_end_user.splice(0..0, [("id", eu_a.clone()), ("version", ver("eu_a"))]);
    update_end_user.push(("pin_job_title", s("on")));
    // Grouping applies only what a preview showed: its digest, from the Administrator's preview.
    let group_name = format!("Grouped {phase}");
    let (group_a, group_b) = (org_a.clone(), org_b.clone());
    let grouping = move |preview: &str| {
        vec![
            ("orgs[]", group_a.clone()),
            ("orgs[]", group_b.clone()),
            ("target", s("")),
            ("name", group_name.clone()),
            ("tenant", s("")),
            ("tenant_query", s("")),
            ("keep_empty", s("true")),
            ("preview", s(preview)),
        ]
    };
    let digest = app
        .call("plan-grouping", &form(&grouping("1")))
        .await
        .ok()
        .and_then(|v| v["digest"].as_str().map(str::to_string))
        .unwrap_or_default();
    let mut group = grouping("");
    group.retain(|(k, _)| !matches!(*k, "tenant_query" | "preview"));
    group.push(("digest", digest));
    // Undo takes the newest rename of the account (phase (d) renames Beta first).
    let renames = app::domain::activity::ActivityFilter {
        search: "renamed syncro tenant".into(),
        ..Default::default()
    };
    let newest_rename = app
        .store
        .activity(&f.account, &renames, None, 1)
        .await
        .unwrap()
        .entries
        .first()
        .map(|e| app::domain::activity::ActivityCursor::of(e).token())
        .unwrap_or_else(|| s("1-none"));
    // *Import these changes* imports a dry run the Administrator's session checked just now.
    let dry_run = format!("Microsoft Tenant ID,Syncro Tenant\n{T3},Checked {phase}\n");
    let checked = app
        .call(
            "import-mappings",
            &[
                ("csv", dry_run.as_str()),
                ("create", "true"),
                ("apply", "false"),
            ],
        )
        .await
        .ok()
        .and_then(|v| v["checked"].as_str().map(str::to_string))
        .unwrap_or_default();
    use Kind::*;
    vec![
        ("/api/whoami", Read, vec![]),
        ("/api/home", Read, vec![]),
        (
            "/api/microsoft-tenants",
            Read,
            vec![
                ("filter", s("")),
                ("q", s("")),
                ("sort", s("")),
                ("dir", s("")),
                ("page", s("1")),
            ],
        ),
        (
            "/api/syncro-tenant-options",
            Read,
            vec![("q", s("")), ("unmapped_only", s("false"))],
        ),
        ("/api/microsoft-tenant", Read, vec![("tenant_id", s(T1))]),
        (
            "/api/syncro-tenants",
            Read,
            vec![("q", s("")), ("page", s("1"))],
        ),
        (
            "/api/syncro-tenant",
            Read,
            vec![("id", st_a.clone()), ("page", s("1"))],
        ),
        (
            "/api/organizations",
            Read,
            vec![("q", s("")), ("page", s("1")), ("exclude", st_a.clone())],
        ),
        ("/api/organization", Read, vec![("id", org_a.clone())]),
        (
            "/api/end-users",
            Read,
            vec![
                ("organization", org_a.clone()),
                ("q", s("")),
                ("inactive", s("")),
                ("after", s("")),
            ],
        ),
        ("/api/end-user", Read, vec![("id", eu_a.clone())]),
        // In this order: (d) sets up Alpha Dental's user sync, previews, applies and syncs
        // (the integration is not connected yet: each run reports why it did not run).
        (
            "/api/user-sync",
            Read,
            vec![("syncro_tenant", st_a.clone())],
        ),
        (
            "/api/user-sync-status",
            Read,
            vec![("syncro_tenant", st_a.clone())],
        ),
        (
            "/api/save-user-sync",
            Change,
            vec![
                ("syncro_tenant", st_a.clone()),
                (
                    "version",
                    v.get("usync").cloned().unwrap_or_else(|| "0".into()),
                ),
                ("kinds", s("members")),
                ("enabled_only", s("true")),
                ("exclude_non_people", s("true")),
                ("departments", format!("Front Desk {phase}")),
                ("rule_field[]", s("department")),
                ("rule_value[]", s("Front Desk")),
                ("rule_org[]", org_a.clone()),
                ("default_organization", org_a.clone()),
                ("brake_percent", s("10")),
            ],
        ),
        (
            "/api/preview-user-sync",
            AdminRead,
            vec![("syncro_tenant", st_a.clone())],
        ),
        (
            "/api/apply-user-sync",
            Change,
            vec![("syncro_tenant", st_a.clone()), ("version", ver("usync"))],
        ),
        (
            "/api/sync-users-now",
            Change,
            vec![("syncro_tenant", st_a.clone()), ("past_the_brake", s(""))],
        ),
        ("/api/create-end-user", Change, create_end_user),
        ("/api/update-end-user", Change, update_end_user),
        (
            "/api/set-end-user-active",
            Change,
            vec![("id", eu_a), ("version", ver("eu_a")), ("active", s(""))],
        ),
        ("/api/users", AdminRead, vec![]),
        ("/api/microsoft-integration", AdminRead, vec![]),
        // In this order: (d) connects account A to its fake Microsoft, syncs, replaces the
        // secret and disconnects.
        (
            "/api/connect-microsoft",
            Change,
            vec![
                ("mode", s("csp")),
                ("directory_tenant", s(fake::PARTNER_TENANT)),
                ("client_id", s(fake::CLIENT_ID)),
                ("client_secret", s(fake::CLIENT_SECRET)),
            ],
        ),
        ("/api/sync-microsoft", Change, vec![("back", s("/"))]),
        ("/api/sync-progress", AdminRead, vec![]),
        (
            "/api/replace-microsoft-secret",
            Change,
            vec![
                ("version", ver("integration")),
                ("client_id", s(fake::CLIENT_ID)),
                ("client_secret", s(fake::CLIENT_SECRET)),
            ],
        ),
        (
            "/api/disconnect-microsoft",
            Change,
            vec![("version", ver("integration"))],
        ),
        (
            "/api/rename-syncro-tenant",
            Change,
            vec![
                ("id", st_b.clone()),
                ("version", ver("st_b")),
                ("name", format!("Beta Renamed {phase}")),
            ],
        ),
        (
            "/api/delete-syncro-tenant",
            Change,
            vec![("id", st_empty), ("version", ver("st_empty"))],
        ),
        (
            "/api/add-organizations",
            Change,
            vec![("id", st_b.clone()), ("organizations[]", org_a)],
        ),
        (
            "/api/create-organization",
            Change,
            vec![
                ("name", format!("Probe Org {phase}")),
                ("email", s("")),
                ("phone", s("")),
                ("address", s("")),
                ("syncro_tenant", st_b.clone()),
            ],
        ),
        (
            "/api/update-organization",
            Change,
            vec![
                ("id", org_b),
                ("version", ver("org_b")),
                ("name", format!("Beta Law {phase}")),
                ("email", s("")),
                ("phone", s("")),
                ("address", s("")),
                ("syncro_tenant", st_b.clone()),
            ],
        ),
        (
            "/api/map-tenant",
            Change,
            vec![
                ("tenant_id", s(T2)),
                ("version", ver("t2")),
                ("syncro_tenant", st_b),
                ("change", s("")),
                ("back", s("/")),
            ],
        ),
        (
            "/api/unmap-tenant",
            Change,
            vec![("tenant_id", s(T1)), ("version", ver("t1"))],
        ),
        (
            "/api/suggestions",
            Read,
            vec![("confidence", s("")), ("page", s("1"))],
        ),
        (
            // After the unmap above, T1 and Alpha Dental are both free again.
            "/api/map-tenants",
            Change,
            vec![
                ("picks[]", format!("{T1}:{st_a}")),
                ("high", s("")),
                ("back", s("")),
            ],
        ),
        (
            "/api/unmatched-tenants",
            AdminRead,
            vec![("page", s("1")), ("report", s(""))],
        ),
        (
            // A name no Syncro Tenant has: the row comes back refused, nothing changes.
            "/api/map-the-rest",
            Change,
            vec![
                ("tenants[]", s(T3)),
                ("choices[]", s("Nobody By This Name")),
            ],
        ),
        (
            "/api/import-tenants",
            Change,
            vec![(
                "csv",
                format!(
                    "tenantId,displayName,defaultDomainName\n{T3},Probe {phase},probe.onmicrosoft.com\n"
                ),
            )],
        ),
        (
            "/api/add-user",
            Change,
            vec![
                ("email", format!("new-{phase}@probe.example")),
                ("role", s("technician")),
                ("password", s(PASSWORD)),
            ],
        ),
        (
            "/api/set-user-role",
            Change,
            vec![
                ("id", tech.clone()),
                ("version", ver("tech")),
                ("role", s("administrator")),
            ],
        ),
        (
            "/api/set-user-active",
            Change,
            vec![
                ("id", tech.clone()),
                ("version", ver("tech")),
                ("active", s("false")),
            ],
        ),
        (
            "/api/set-user-password",
            Change,
            vec![
                ("id", tech),
                ("version", ver("tech")),
                ("password", s("another long password")),
            ],
        ),
        (
            "/api/activity",
            AdminRead,
            vec![
                ("person", s("")),
                ("kind", s("")),
                ("record", format!("st:{st_a}")),
                ("q", s("")),
                ("before", s("")),
            ],
        ),
        (
            "/api/undo",
            Change,
            vec![("entry", newest_rename), ("back", s("/admin/activity"))],
        ),
        (
            "/api/import-mappings",
            Change,
            vec![
                (
                    "csv",
                    format!("Microsoft Tenant ID,Syncro Tenant\n{T3},Imported {phase}\n"),
                ),
                ("create", s("true")),
                ("apply", s("true")),
            ],
        ),
        (
            "/api/import-checked-mappings",
            Change,
            vec![("checked", checked)],
        ),
        ("/api/plan-grouping", Read, grouping("1")),
        ("/api/group-organizations", Change, group),
    ]
}

/// Everything of account A a caller could learn or change, as one comparable value.
pub async fn snapshot(store: &dyn Store, a: &AccountId) -> String {
    let all = ListQuery {
        per_page: 10_000,
        ..ListQuery::default()
    };
    // The reads side by side (after each of thousands of fuzzed calls, on moto too).
    let (orgs, sts, mts, users, user_syncs, audit) = futures::try_join!(
        store.list_organizations(a, &all, ParentFilter::Any),
        store.list_syncro_tenants(a, &all, false),
        store.list_microsoft_tenants(a, &all, MappingFilter::All),
        store.list_users(a),
        store.user_syncs(a),
        store.list_audit(a, 10_000),
    )
    .unwrap();
    let end_users: Vec<_> = futures::future::try_join_all(
        orgs.items
            .iter()
            .flat_map(|o| [(o.id, true), (o.id, false)])
            .map(|(org, active)| async move {
                let after = app::domain::end_users::EndUserPlace::start(org, active);
                store
                    .end_user_rows(a, &app::domain::end_users::EndUserBatch { after, n: 1_000 })
                    .await
            }),
    )
    .await
    .unwrap()
    .into_iter()
    .flatten()
    .collect();
    // Sign-ins are recorded, refused ones too (aside, so one may land late): a refusal of
    // anything else changes nothing at all.
    let audit = audit
        .iter()
        .filter(|e| !e.action.starts_with("session."))
        .count();
    serde_json::json!({ "orgs": orgs, "sts": sts, "mts": mts, "users": users, "end_users": end_users, "user_syncs": user_syncs, "audit": audit })
        .to_string()
}

/// The fixture on the embedded store.
pub async fn setup() -> (TestApp, Fixture, String, String) {
    setup_on(spawn_app().await).await
}

/// The fixture on a fresh DynamoDB table (moto).
/// The store itself comes back too, to read its table's items.
pub async fn setup_on_dynamodb() -> (TestApp, Fixture, String, String, server::store::DynamoStore) {
    let (store, _) = server::store::dynamo::testing::fresh_store().await;
    let mut app = spawn_with(
        std::sync::Arc::new(store.clone()),
        tempfile::tempdir().unwrap(),
    )
    .await;
    app.cookie = Some(app.create_account("MSP A", "admin@msp-a.example").await);
    let (app, f, tech, other) = setup_on(app).await;
    (app, f, tech, other, store)
}

/// The fixture in `app`, whose account "MSP A" has its Administrator signed in.
pub async fn setup_on(app: TestApp) -> (TestApp, Fixture, String, String) {
    app.import(&format!(
        "tenantId,displayName,defaultDomainName\n{T1},Alpha M365,alpha.onmicrosoft.com\n{T2},Beta M365,beta.onmicrosoft.com\n"
    ))
    .await;
    let org_a = app.create_organization("Alpha Dental", "").await.unwrap();
    let org_b = app.create_organization("Beta Law", "").await.unwrap();
    let org_g = app.create_organization("Gamma Clinic", "").await.unwrap();
    let st_of = |v: serde_json::Value| v["syncro_tenant"]["id"].as_str().unwrap().to_string();
    let st_a = st_of(app.organization(&org_a).await.unwrap());
    let st_b = st_of(app.organization(&org_b).await.unwrap());
    let st_g = st_of(app.organization(&org_g).await.unwrap());
    app.call(
        "add-organizations",
        &[("id", &st_a), ("organizations[]", &org_g)],
    )
    .await
    .unwrap();
    let v = app.tenant(T1).await["version"].to_string();
    app.map_tenant(T1, &v, &st_a).await.unwrap();
    let tech_cookie = app.add_user("tech@msp-a.example", "technician").await;
    let a_admin = app
        .store
        .user_by_email(&Email::parse("admin@msp-a.example").unwrap())
        .await
        .unwrap()
        .unwrap();
    let tech = app
        .store
        .user_by_email(&Email::parse("tech@msp-a.example").unwrap())
        .await
        .unwrap()
        .unwrap();
    let eu_a = app
        .call(
            "create-end-user",
            &[
                ("organization", org_a.as_str()),
                ("name", "Ann Lee"),
                ("email", "ann@alpha.example"),
            ],
        )
        .await
        .unwrap();
    let eu_a = EndUserId::parse(eu_a.as_str().unwrap()).unwrap();
    let other_admin = app.create_account("MSP B", "admin@msp-b.example").await;
    let f = Fixture {
        account: a_admin.account,
        org_a: OrganizationId::parse(&org_a).unwrap(),
        org_b: OrganizationId::parse(&org_b).unwrap(),
        st_a: SyncroTenantId::parse(&st_a).unwrap(),
        st_b: SyncroTenantId::parse(&st_b).unwrap(),
        st_empty: SyncroTenantId::parse(&st_g).unwrap(),
        tech: tech.id,
        eu_a,
    };
    (app, f, tech_cookie, other_admin)
}

pub fn form(args: &Args) -> Vec<(&str, &str)> {
    args.iter().map(|(k, v)| (*k, v.as_str())).collect()
}
