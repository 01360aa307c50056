//! Every server function the app registers, called (a) signed out, (b) as a Technician and
//! (c) as an Administrator of another account with this account's real ids — then (d) as this
//! account's Administrator, to prove the arguments were real and only the caller was wrong.
//!
//! A server function added later without a case here fails `every_registered_function_has_a_case`;
//! one added without a check fails (a), (b) or (c).

mod common;

use app::domain::{AccountId, Email, OrganizationId, SyncroTenantId, UserId};
use app::error::AppError;
use app::store::prelude::*;
use app::store::{MappingFilter, ParentFilter};
use app::wire::ListQuery;
use common::*;
use server::fake_microsoft as fake;
use std::collections::BTreeSet;

const T1: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const T2: &str = "0b5e7c1a-1111-4c2b-9a11-000000000002";
const T3: &str = "0b5e7c1a-1111-4c2b-9a11-000000000003";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// Reads the caller's account: Technicians may call it.
    Read,
    /// Reads only Administrators may see (Admin > Users).
    AdminRead,
    /// Changes something: Administrators only (R6).
    Change,
}

/// Account A's records, as the tests name them.
struct Fixture {
    account: AccountId,
    org_a: OrganizationId,
    org_b: OrganizationId,
    st_a: SyncroTenantId,
    st_b: SyncroTenantId,
    st_empty: SyncroTenantId,
    tech: UserId,
}

type Args = Vec<(&'static str, String)>;

/// The server functions that are not about records: they have their own test below.
const SESSION_FUNCTIONS: [&str; 4] = [
    "/api/sign-in",
    "/api/sign-out",
    "/api/set-up",
    "/api/may-set-up",
];

/// The current version of a record of account A, read from the store (so (d) can run the
/// changes one after another).
async fn versions(app: &TestApp, f: &Fixture) -> std::collections::HashMap<&'static str, String> {
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
async fn cases(app: &TestApp, f: &Fixture, phase: &str) -> Vec<(&'static str, Kind, Args)> {
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
    use Kind::*;
    vec![
        ("/api/whoami", Read, vec![]),
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
    ]
}

/// Everything of account A a caller could learn or change, as one comparable value.
async fn snapshot(store: &dyn Store, a: &AccountId) -> String {
    let all = ListQuery {
        per_page: 10_000,
        ..ListQuery::default()
    };
    let orgs = store
        .list_organizations(a, &all, ParentFilter::Any)
        .await
        .unwrap();
    let sts = store.list_syncro_tenants(a, &all, false).await.unwrap();
    let mts = store
        .list_microsoft_tenants(a, &all, MappingFilter::All)
        .await
        .unwrap();
    let users = store.list_users(a).await.unwrap();
    let audit = store.list_audit(a, 10_000).await.unwrap().len();
    serde_json::json!({ "orgs": orgs, "sts": sts, "mts": mts, "users": users, "audit": audit })
        .to_string()
}

async fn setup() -> (TestApp, Fixture, String, String) {
    let app = spawn_app().await;
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
    let other_admin = app.create_account("MSP B", "admin@msp-b.example").await;
    let f = Fixture {
        account: a_admin.account,
        org_a: OrganizationId::parse(&org_a).unwrap(),
        org_b: OrganizationId::parse(&org_b).unwrap(),
        st_a: SyncroTenantId::parse(&st_a).unwrap(),
        st_b: SyncroTenantId::parse(&st_b).unwrap(),
        st_empty: SyncroTenantId::parse(&st_g).unwrap(),
        tech: tech.id,
    };
    (app, f, tech_cookie, other_admin)
}

fn form(args: &Args) -> Vec<(&str, &str)> {
    args.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test]
async fn every_registered_function_has_a_case() {
    let (app, f, ..) = setup().await;
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_string())
        .collect();
    let mut covered: BTreeSet<String> = cases(&app, &f, "x")
        .await
        .into_iter()
        .map(|c| c.0.to_string())
        .collect();
    covered.extend(SESSION_FUNCTIONS.iter().map(|s| s.to_string()));
    assert_eq!(
        registered, covered,
        "every server function needs a case in server/tests/authz.rs (a new one: add it, with the arguments that name real records)"
    );
}

#[tokio::test]
async fn only_the_right_people_reach_each_server_function() {
    let (app, f, tech_cookie, other_admin) = setup().await;
    let before = snapshot(&*app.store, &f.account).await;
    let markers: Vec<String> = ["Alpha", "Beta", "Gamma", "MSP A", "msp-a.example", T1, T2]
        .iter()
        .map(|s| s.to_string())
        .chain([f.org_a, f.org_b].iter().map(|i| i.to_string()))
        .chain([f.st_a, f.st_b, f.st_empty].iter().map(|i| i.to_string()))
        .chain([f.tech.to_string()])
        .collect();

    // (a) Signed out: every function answers "not signed in".
    for (path, _, args) in cases(&app, &f, "a").await {
        let r = app.call_as(None, path, &form(&args)).await;
        assert_eq!(r, Err(AppError::NotSignedIn), "{path} signed out");
    }
    assert_eq!(
        snapshot(&*app.store, &f.account).await,
        before,
        "(a) changed something"
    );

    // (b) A Technician of the account reads, and is refused every change.
    for (path, kind, args) in cases(&app, &f, "b").await {
        let r = app.call_as(Some(&tech_cookie), path, &form(&args)).await;
        match kind {
            Kind::Read => assert!(r.is_ok(), "{path} as Technician: {r:?}"),
            Kind::AdminRead | Kind::Change => {
                assert_eq!(r, Err(AppError::NotAllowed), "{path} as Technician")
            }
        }
    }
    assert_eq!(
        snapshot(&*app.store, &f.account).await,
        before,
        "(b) changed something"
    );

    // (c) An Administrator of another account, with this account's ids: refused, or answered
    // from their own account — never a record of this one.
    for (path, _, args) in cases(&app, &f, "c").await {
        let r = app.call_as(Some(&other_admin), path, &form(&args)).await;
        let text = match &r {
            Ok(v) => v.to_string(),
            Err(e) => e.to_string(),
        };
        for m in &markers {
            assert!(
                !text.contains(m.as_str()),
                "{path} as another account's Administrator leaked {m}: {text}"
            );
        }
    }
    assert_eq!(
        snapshot(&*app.store, &f.account).await,
        before,
        "(c) changed account A"
    );

    // (d) This account's Administrator: every change goes through with the same kind of
    // arguments, so the refusals above were about the caller alone.
    for (path, kind, _) in cases(&app, &f, "d").await {
        // Re-read versions before each call: the changes run one after another.
        let args = cases(&app, &f, "d")
            .await
            .into_iter()
            .find(|c| c.0 == path)
            .unwrap()
            .2;
        let r = app.call(path, &form(&args)).await;
        assert!(
            r.is_ok(),
            "{path} ({kind:?}) as this account's Administrator: {r:?}"
        );
    }
    assert_ne!(snapshot(&*app.store, &f.account).await, before);
}

#[tokio::test]
async fn session_functions_refuse_what_they_must() {
    let (app, _f, tech_cookie, _) = setup().await;
    // Signed out: a wrong password is refused; set-up is refused once an account exists;
    // sign-out needs a session.
    assert_eq!(
        app.call_as(
            None,
            "sign-in",
            &[
                ("email", "admin@msp-a.example"),
                ("password", "wrong"),
                ("next", "/")
            ]
        )
        .await,
        Err(AppError::SignInFailed)
    );
    assert_eq!(
        app.call_as(
            None,
            "set-up",
            &[
                ("account", "Takeover"),
                ("email", "x@evil.example"),
                ("password", PASSWORD),
                ("confirm", PASSWORD)
            ]
        )
        .await,
        Err(AppError::AlreadySetUp)
    );
    assert_eq!(
        app.call_as(
            Some(&tech_cookie),
            "set-up",
            &[
                ("account", "Takeover"),
                ("email", "x@evil.example"),
                ("password", PASSWORD),
                ("confirm", PASSWORD)
            ]
        )
        .await,
        Err(AppError::AlreadySetUp)
    );
    // may-set-up tells only whether this request could use the first-run page (from this
    // machine: yes; the account's existence is set-up's to refuse).
    assert_eq!(
        app.call_as(None, "may-set-up", &[("token", "")]).await,
        Ok(serde_json::json!(true))
    );
    assert_eq!(
        app.call_as(None, "sign-out", &[]).await,
        Err(AppError::NotSignedIn)
    );
    // A Technician may sign out (it ends only their own session).
    app.call_as(Some(&tech_cookie), "sign-out", &[])
        .await
        .unwrap();
    assert_eq!(
        app.call_as(Some(&tech_cookie), "whoami", &[]).await,
        Err(AppError::NotSignedIn)
    );
    assert!(
        app.store
            .user_by_email(&Email::parse("x@evil.example").unwrap())
            .await
            .unwrap()
            .is_none()
    );
}
