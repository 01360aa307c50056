//! The store contract: one suite written against `&dyn Store`, instantiated for every store
//! with [`contract_tests!`]. Each test gets a fresh, empty store.

use app::domain::rules::{self, Ctx, Parent};
use app::domain::*;
use app::store::{MappingFilter, ParentFilter, Store, StoreError};
use app::wire::ListQuery;
use std::sync::atomic::{AtomicU64, Ordering};
use uuid::Uuid;

static CLOCK: AtomicU64 = AtomicU64::new(1);

pub fn ctx() -> Ctx {
    let t = CLOCK.fetch_add(1, Ordering::SeqCst) as i64;
    Ctx {
        actor: "admin@msp.example".into(),
        now: Timestamp(1_790_000_000_000 + t),
        audit_id: Uuid::new_v4().to_string(),
    }
}

pub fn acct() -> AccountId {
    AccountId::parse("acme-msp").unwrap()
}

pub async fn create_org(
    store: &dyn Store,
    a: &AccountId,
    name: &str,
) -> Result<(Organization, SyncroTenant), StoreError> {
    let id = OrganizationId::from_uuid(Uuid::new_v4());
    let st_id = SyncroTenantId::from_uuid(Uuid::new_v4());
    let c = rules::create_organization(
        &ctx(),
        id,
        OrganizationName::parse(name).unwrap(),
        Default::default(),
        Parent::Automatic(st_id),
    );
    store.apply(a, c).await?;
    Ok((
        store.organization(a, id).await?.unwrap(),
        store.syncro_tenant(a, st_id).await?.unwrap(),
    ))
}

pub async fn discover(store: &dyn Store, a: &AccountId, n: u128, name: &str) -> MicrosoftTenant {
    let id = MicrosoftTenantId::from_uuid(Uuid::from_u128(0x7000_0000 + n));
    let t =
        DiscoveredTenant::parse(&id.to_string(), name, &format!("t{n}.onmicrosoft.com")).unwrap();
    let c = ctx();
    let audit = AuditEntry {
        at: c.now,
        id: c.audit_id,
        actor: c.actor,
        action: "import".into(),
        summary: "test".into(),
        before: serde_json::Value::Null,
        after: serde_json::Value::Null,
    };
    store
        .record_discovered_tenants(a, vec![t], Coverage::Partial, c.now, audit)
        .await
        .unwrap();
    store.microsoft_tenant(a, id).await.unwrap().unwrap()
}

async fn st(store: &dyn Store, a: &AccountId, id: SyncroTenantId) -> SyncroTenant {
    store
        .syncro_tenant(a, id)
        .await
        .unwrap()
        .expect("syncro tenant exists")
}

async fn mt(store: &dyn Store, a: &AccountId, id: MicrosoftTenantId) -> MicrosoftTenant {
    store
        .microsoft_tenant(a, id)
        .await
        .unwrap()
        .expect("microsoft tenant exists")
}

fn everything() -> ListQuery {
    ListQuery {
        per_page: 100_000,
        ..ListQuery::default()
    }
}

/// Every Syncro Tenant, Organization and Microsoft Tenant of an account, from the lists.
async fn everything_in(
    store: &dyn Store,
    a: &AccountId,
) -> (Vec<SyncroTenant>, Vec<Organization>, Vec<MicrosoftTenant>) {
    let q = everything();
    let sts = store.list_syncro_tenants(a, &q, false).await.unwrap().items;
    let orgs = store
        .list_organizations(a, &q, ParentFilter::Any)
        .await
        .unwrap()
        .items;
    let mts = store
        .list_microsoft_tenants(a, &q, MappingFilter::All)
        .await
        .unwrap()
        .items;
    (sts, orgs, mts)
}

/// R1–R3 over the whole account, checked from the lists.
pub async fn assert_invariants(store: &dyn Store, a: &AccountId) {
    let (sts, orgs, mts) = everything_in(store, a).await;
    for o in &orgs {
        assert!(
            sts.iter().any(|s| s.id == o.syncro_tenant),
            "R1: {} has no parent",
            o.name
        );
    }
    for s in &sts {
        let n = orgs.iter().filter(|o| o.syncro_tenant == s.id).count() as u32;
        assert_eq!(s.organization_count, n, "count of {}", s.name);
        if let Some(m) = s.microsoft_tenant {
            let m = mts
                .iter()
                .find(|t| t.tenant_id == m)
                .expect("R2: mapped tenant exists");
            assert_eq!(m.syncro_tenant, Some(s.id), "R2: both sides agree");
        }
    }
    for m in &mts {
        if let Some(s) = m.syncro_tenant {
            let s = sts
                .iter()
                .find(|x| x.id == s)
                .expect("R2: mapped syncro tenant exists");
            assert_eq!(
                s.microsoft_tenant,
                Some(m.tenant_id),
                "R2: both sides agree"
            );
        }
    }
    let mut keys: Vec<String> = sts.iter().map(|s| s.name.key()).collect();
    keys.sort();
    let before = keys.len();
    keys.dedup();
    assert_eq!(before, keys.len(), "R3: syncro tenant names unique");
    let mut keys: Vec<String> = orgs.iter().map(|o| o.name.key()).collect();
    keys.sort();
    let before = keys.len();
    keys.dedup();
    assert_eq!(before, keys.len(), "R3: organization names unique");
}

pub async fn automatic_syncro_tenant(store: &dyn Store) {
    let a = acct();
    let (org, st) = create_org(store, &a, "Acme Dental").await.unwrap();
    assert_eq!(st.name.as_str(), "Acme Dental");
    assert_eq!(st.organization_count, 1);
    assert_eq!(org.syncro_tenant, st.id);
    let children = store
        .list_organizations(&a, &everything(), ParentFilter::Only(st.id))
        .await
        .unwrap();
    assert_eq!(children.items, vec![org]);
    assert_invariants(store, &a).await;
}

pub async fn taken_automatic_name_creates_nothing(store: &dyn Store) {
    let a = acct();
    let (_, st) = create_org(store, &a, "Acme Dental").await.unwrap();
    // Rename the org's Syncro Tenant away so only the Syncro Tenant name collides.
    let first = st.clone();
    store
        .apply(
            &a,
            rules::rename_syncro_tenant(
                &ctx(),
                &first,
                first.version,
                SyncroTenantName::parse("Acme Group").unwrap(),
            ),
        )
        .await
        .unwrap();
    create_org(store, &a, "Acme Group Dental").await.unwrap();
    // Now an Organization named "acme group" needs an automatic Syncro Tenant "acme group": taken.
    let audit_before = store.list_audit(&a, 1000).await.unwrap().len();
    let err = create_org(store, &a, "  ACME group ").await.unwrap_err();
    assert_eq!(
        err,
        StoreError::NameTaken {
            kind: NameKind::SyncroTenant,
            key: "acme group".into(),
            owner: st.id.as_uuid()
        }
    );
    let orgs = store
        .list_organizations(&a, &everything(), ParentFilter::Any)
        .await
        .unwrap();
    assert_eq!(orgs.total, 2, "nothing was created");
    assert_eq!(
        store.list_audit(&a, 1000).await.unwrap().len(),
        audit_before,
        "a refused change is not audited"
    );
    assert_invariants(store, &a).await;
}

pub async fn names_are_unique_ignoring_case(store: &dyn Store) {
    let a = acct();
    let (boston, boston_st) = create_org(store, &a, "Foggy IT Services - Boston")
        .await
        .unwrap();
    let (_, waltham_st) = create_org(store, &a, "Foggy IT Services - Waltham")
        .await
        .unwrap();
    assert!(matches!(
        create_org(store, &a, "foggy it services - boston").await,
        Err(StoreError::NameTaken {
            kind: NameKind::Organization,
            ..
        })
    ));
    let rename = rules::rename_syncro_tenant(
        &ctx(),
        &waltham_st,
        waltham_st.version,
        SyncroTenantName::parse("FOGGY IT SERVICES - BOSTON").unwrap(),
    );
    assert!(matches!(
        store.apply(&a, rename).await,
        Err(StoreError::NameTaken {
            kind: NameKind::SyncroTenant,
            ..
        })
    ));
    // Renaming frees the old name for others.
    store
        .apply(
            &a,
            rules::rename_syncro_tenant(
                &ctx(),
                &boston_st,
                boston_st.version,
                SyncroTenantName::parse("Foggy IT Services").unwrap(),
            ),
        )
        .await
        .unwrap();
    let waltham_st = st(store, &a, waltham_st.id).await;
    store
        .apply(
            &a,
            rules::rename_syncro_tenant(
                &ctx(),
                &waltham_st,
                waltham_st.version,
                SyncroTenantName::parse("Foggy IT Services - Boston").unwrap(),
            ),
        )
        .await
        .unwrap();
    let renamed = rules::update_organization(
        &ctx(),
        &boston,
        boston.version,
        OrganizationName::parse("Foggy IT Services - Waltham").unwrap(),
        Default::default(),
        &st(store, &a, boston.syncro_tenant).await,
    );
    assert!(matches!(
        store.apply(&a, renamed).await,
        Err(StoreError::NameTaken {
            kind: NameKind::Organization,
            ..
        })
    ));
    assert_invariants(store, &a).await;
}

pub async fn mapping_is_one_to_one(store: &dyn Store) {
    let a = acct();
    let foggy = discover(store, &a, 1, "Foggy IT").await;
    let other = discover(store, &a, 2, "Other").await;
    let (_, s1) = create_org(store, &a, "Foggy IT Services").await.unwrap();
    let (_, s2) = create_org(store, &a, "Second").await.unwrap();
    store
        .apply(
            &a,
            rules::map_tenant(&ctx(), &foggy, foggy.version, &s1).unwrap(),
        )
        .await
        .unwrap();
    let foggy = mt(store, &a, foggy.tenant_id).await;
    let s1 = st(store, &a, s1.id).await;
    assert_eq!(foggy.syncro_tenant, Some(s1.id));
    assert_eq!(s1.microsoft_tenant, Some(foggy.tenant_id));
    // The rules refuse a second mapping of either side ...
    assert!(rules::map_tenant(&ctx(), &foggy, foggy.version, &s2).is_err());
    assert!(rules::map_tenant(&ctx(), &other, other.version, &s1).is_err());
    // ... and the store refuses one computed from stale reads.
    let stale_s1 = SyncroTenant {
        microsoft_tenant: None,
        version: Version(1),
        ..s1.clone()
    };
    let err = store
        .apply(
            &a,
            rules::map_tenant(&ctx(), &other, other.version, &stale_s1).unwrap(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    // Change, then unmap.
    store
        .apply(
            &a,
            rules::change_mapping(&ctx(), &foggy, foggy.version, &s1, &s2).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(st(store, &a, s1.id).await.microsoft_tenant, None);
    assert_eq!(
        st(store, &a, s2.id).await.microsoft_tenant,
        Some(foggy.tenant_id)
    );
    let foggy = mt(store, &a, foggy.tenant_id).await;
    store
        .apply(
            &a,
            rules::unmap_tenant(&ctx(), &foggy, foggy.version, &st(store, &a, s2.id).await),
        )
        .await
        .unwrap();
    assert_eq!(mt(store, &a, foggy.tenant_id).await.syncro_tenant, None);
    assert_eq!(st(store, &a, s2.id).await.microsoft_tenant, None);
    assert_invariants(store, &a).await;
}

pub async fn stale_changes_are_refused(store: &dyn Store) {
    let a = acct();
    let (org, s) = create_org(store, &a, "Acme Dental").await.unwrap();
    store
        .apply(
            &a,
            rules::rename_syncro_tenant(
                &ctx(),
                &s,
                s.version,
                SyncroTenantName::parse("Acme Dental Group").unwrap(),
            ),
        )
        .await
        .unwrap();
    // A second page still shows the old version.
    let err = store
        .apply(
            &a,
            rules::rename_syncro_tenant(
                &ctx(),
                &s,
                s.version,
                SyncroTenantName::parse("Acme").unwrap(),
            ),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)));
    assert_eq!(st(store, &a, s.id).await.name.as_str(), "Acme Dental Group");
    let s = st(store, &a, s.id).await;
    let edit = rules::update_organization(
        &ctx(),
        &org,
        org.version,
        OrganizationName::parse("Acme Dental 2").unwrap(),
        Default::default(),
        &s,
    );
    store.apply(&a, edit.clone()).await.unwrap();
    assert!(matches!(
        store.apply(&a, edit).await,
        Err(StoreError::Conflict(_))
    ));
    // The name claimed by the refused change was not left behind.
    create_org(store, &a, "Acme").await.unwrap();
    assert_invariants(store, &a).await;
}

pub async fn delete_only_when_empty_and_unmapped(store: &dyn Store) {
    let a = acct();
    let (org, s) = create_org(store, &a, "Acme Dental").await.unwrap();
    assert!(rules::delete_syncro_tenant(&ctx(), &s, s.version).is_err());
    // A delete computed from a stale read that said "empty" is refused by the store.
    let stale = SyncroTenant {
        organization_count: 0,
        ..s.clone()
    };
    let err = store
        .apply(
            &a,
            rules::delete_syncro_tenant(&ctx(), &stale, s.version).unwrap(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotEmpty(_)), "{err:?}");
    // Move the Organization away, then the delete goes through and frees the name.
    let (_, other) = create_org(store, &a, "Other").await.unwrap();
    store
        .apply(
            &a,
            rules::move_organizations(&ctx(), &other, &[org]).unwrap(),
        )
        .await
        .unwrap();
    let s = st(store, &a, s.id).await;
    assert_eq!(s.organization_count, 0);
    store
        .apply(
            &a,
            rules::delete_syncro_tenant(&ctx(), &s, s.version).unwrap(),
        )
        .await
        .unwrap();
    assert!(store.syncro_tenant(&a, s.id).await.unwrap().is_none());
    let org2 = create_org(store, &a, "Acme Dental Two").await.unwrap().0;
    let reuse = rules::rename_syncro_tenant(
        &ctx(),
        &st(store, &a, org2.syncro_tenant).await,
        Version(1),
        SyncroTenantName::parse("acme dental").unwrap(),
    );
    store.apply(&a, reuse).await.unwrap();
    assert_invariants(store, &a).await;
}

pub async fn organizations_cannot_join_a_deleted_syncro_tenant(store: &dyn Store) {
    let a = acct();
    let (org, _) = create_org(store, &a, "Acme Dental").await.unwrap();
    let (org2, target) = create_org(store, &a, "Target").await.unwrap();
    let (_, other) = create_org(store, &a, "Other").await.unwrap();
    store
        .apply(
            &a,
            rules::move_organizations(&ctx(), &other, &[org2]).unwrap(),
        )
        .await
        .unwrap();
    let target_now = st(store, &a, target.id).await;
    store
        .apply(
            &a,
            rules::delete_syncro_tenant(&ctx(), &target_now, target_now.version).unwrap(),
        )
        .await
        .unwrap();
    // A move computed before the delete (R1).
    let err = store
        .apply(
            &a,
            rules::move_organizations(&ctx(), &target, std::slice::from_ref(&org)).unwrap(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)));
    let c = rules::create_organization(
        &ctx(),
        OrganizationId::from_uuid(Uuid::new_v4()),
        OrganizationName::parse("Late").unwrap(),
        Default::default(),
        Parent::Existing(&target),
    );
    assert!(matches!(
        store.apply(&a, c).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store
            .organization(&a, org.id)
            .await
            .unwrap()
            .unwrap()
            .syncro_tenant,
        org.syncro_tenant
    );
    assert_invariants(store, &a).await;
}

pub async fn foggy_it_scenario(store: &dyn Store) {
    let a = acct();
    let (boston, boston_st) = create_org(store, &a, "Foggy IT Services - Boston")
        .await
        .unwrap();
    let (waltham, waltham_st) = create_org(store, &a, "Foggy IT Services - Waltham")
        .await
        .unwrap();
    let (burlington, _) = create_org(store, &a, "Foggy IT Services - Burlington")
        .await
        .unwrap();
    let foggy = discover(store, &a, 7, "Foggy IT").await;
    store
        .apply(
            &a,
            rules::rename_syncro_tenant(
                &ctx(),
                &boston_st,
                boston_st.version,
                SyncroTenantName::parse("Foggy IT Services").unwrap(),
            ),
        )
        .await
        .unwrap();
    let target = st(store, &a, boston_st.id).await;
    store
        .apply(
            &a,
            rules::move_organizations(&ctx(), &target, &[waltham.clone(), burlington.clone()])
                .unwrap(),
        )
        .await
        .unwrap();
    let target = st(store, &a, boston_st.id).await;
    store
        .apply(
            &a,
            rules::map_tenant(&ctx(), &foggy, foggy.version, &target).unwrap(),
        )
        .await
        .unwrap();
    let target = st(store, &a, boston_st.id).await;
    assert_eq!(target.organization_count, 3);
    assert_eq!(target.microsoft_tenant, Some(foggy.tenant_id));
    let children = store
        .list_organizations(&a, &everything(), ParentFilter::Only(target.id))
        .await
        .unwrap();
    let names: Vec<&str> = children.items.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Foggy IT Services - Boston",
            "Foggy IT Services - Burlington",
            "Foggy IT Services - Waltham"
        ]
    );
    assert_eq!(st(store, &a, waltham_st.id).await.organization_count, 0);
    assert_eq!(boston.syncro_tenant, target.id);
    // Every change was recorded, newest first, with before and after.
    let audit = store.list_audit(&a, 100).await.unwrap();
    assert_eq!(audit.len(), 3 + 1 + 1 + 1 + 1);
    assert_eq!(audit[0].action, "microsoft_tenant.map");
    assert_eq!(audit[1].action, "syncro_tenant.add_organizations");
    assert!(audit.iter().all(|e| e.actor == "admin@msp.example"));
    assert_ne!(audit[0].before, audit[0].after);
    assert_invariants(store, &a).await;
}

pub async fn discovery_refreshes_and_keeps_mappings(store: &dyn Store) {
    let a = acct();
    let t = discover(store, &a, 3, "Contoso").await;
    let (_, s) = create_org(store, &a, "Contoso Ltd").await.unwrap();
    store
        .apply(&a, rules::map_tenant(&ctx(), &t, t.version, &s).unwrap())
        .await
        .unwrap();
    let renamed = discover(store, &a, 3, "Contoso Holdings").await;
    assert_eq!(renamed.display_name, "Contoso Holdings");
    assert_eq!(
        renamed.syncro_tenant,
        Some(s.id),
        "a refresh never loses a mapping"
    );
    assert!(renamed.last_sync > t.last_sync);
    let all = store
        .list_microsoft_tenants(&a, &everything(), MappingFilter::All)
        .await
        .unwrap();
    assert_eq!(all.total, 1);
    // A mapping change computed before the refresh still applies: the version guards the mapping only.
    let s = st(store, &a, s.id).await;
    store
        .apply(&a, rules::unmap_tenant(&ctx(), &t, renamed.version, &s))
        .await
        .unwrap();
    let after = mt(store, &a, t.tenant_id).await;
    assert_eq!(after.display_name, "Contoso Holdings");
    assert_eq!(after.syncro_tenant, None);
}

fn audit_of(c: &Ctx) -> AuditEntry {
    AuditEntry {
        at: c.now,
        id: c.audit_id.clone(),
        actor: "Scheduled".into(),
        action: "microsoft_tenant.sync".into(),
        summary: "sync".into(),
        before: serde_json::Value::Null,
        after: serde_json::Value::Null,
    }
}

fn found(n: u128, name: &str, domain: &str) -> DiscoveredTenant {
    let id = MicrosoftTenantId::from_uuid(Uuid::from_u128(0x7000_0000 + n));
    DiscoveredTenant::from_graph(id, name, domain)
}

async fn sync(
    store: &dyn Store,
    a: &AccountId,
    tenants: Vec<DiscoveredTenant>,
) -> (Timestamp, app::store::DiscoveryOutcome) {
    let c = ctx();
    let out = store
        .record_discovered_tenants(a, tenants, Coverage::Complete, c.now, audit_of(&c))
        .await
        .unwrap();
    (c.now, out)
}

/// A complete sync marks what Microsoft no longer lists as removed (never deleted, mapping
/// kept), records per-tenant failures and GDAP access, and a tenant seen again is back.
pub async fn complete_syncs_mark_removed_tenants(store: &dyn Store) {
    let a = acct();
    let gdap = GdapAccess {
        ends_at: Timestamp(1_900_000_000_000),
        auto_extends: true,
    };
    let mut with_gdap = found(1, "Contoso", "contoso.onmicrosoft.com");
    with_gdap.gdap = Some(gdap);
    let mut failing = found(2, "Fabrikam", "fabrikam.onmicrosoft.com");
    failing.failure = Some(SyncFailure::Other("Graph said no".into()));
    let (_, out) = sync(
        store,
        &a,
        vec![with_gdap, failing, found(3, "Tailspin", "tailspin.com")],
    )
    .await;
    assert_eq!((out.added, out.updated, out.removed), (3, 0, 0));
    let contoso = mt(store, &a, found(1, "", "").tenant_id).await;
    assert_eq!(contoso.gdap, Some(gdap));
    assert_eq!(contoso.sync_error, None);
    let fabrikam = mt(store, &a, found(2, "", "").tenant_id).await;
    assert_eq!(
        fabrikam.sync_error,
        Some(SyncFailure::Other("Graph said no".into()))
    );
    // Map Tailspin, then Microsoft stops listing it and Fabrikam recovers.
    let tailspin = mt(store, &a, found(3, "", "").tenant_id).await;
    let (_, s) = create_org(store, &a, "Tailspin Toys").await.unwrap();
    store
        .apply(
            &a,
            rules::map_tenant(&ctx(), &tailspin, tailspin.version, &s).unwrap(),
        )
        .await
        .unwrap();
    let mut failing_now = found(1, "Contoso", "");
    failing_now.failure = Some(SyncFailure::NoConsent);
    let (at, out) = sync(
        store,
        &a,
        vec![
            failing_now,
            found(2, "Fabrikam Inc", "fabrikam.onmicrosoft.com"),
        ],
    )
    .await;
    assert_eq!((out.added, out.updated, out.removed), (0, 2, 1));
    let gone = mt(store, &a, tailspin.tenant_id).await;
    assert_eq!(gone.removed_at, Some(at));
    assert_eq!(gone.syncro_tenant, Some(s.id), "removal keeps the mapping");
    assert_eq!(gone.display_name, "Tailspin");
    let contoso = mt(store, &a, contoso.tenant_id).await;
    assert_eq!(contoso.sync_error, Some(SyncFailure::NoConsent));
    assert_eq!(
        contoso.default_domain, "contoso.onmicrosoft.com",
        "an unknown domain keeps the one we had"
    );
    assert_eq!(contoso.gdap, None);
    let fabrikam = mt(store, &a, fabrikam.tenant_id).await;
    assert_eq!(fabrikam.sync_error, None);
    assert_eq!(fabrikam.display_name, "Fabrikam Inc");
    // Removed once: a second sync without it does not count it again.
    let (_, out) = sync(
        store,
        &a,
        vec![found(1, "Contoso", ""), found(2, "Fabrikam Inc", "")],
    )
    .await;
    assert_eq!(out.removed, 0);
    assert_eq!(mt(store, &a, tailspin.tenant_id).await.removed_at, Some(at));
    // Seen again: back, with the mapping it kept.
    let (_, out) = sync(store, &a, vec![found(3, "Tailspin", "tailspin.com")]).await;
    assert_eq!(out.removed, 2);
    let back = mt(store, &a, tailspin.tenant_id).await;
    assert_eq!(back.removed_at, None);
    assert_eq!(back.syncro_tenant, Some(s.id));
    // A partial listing (an import) never marks anything removed.
    let c = ctx();
    let out = store
        .record_discovered_tenants(
            &a,
            vec![found(4, "Northwind", "northwind.com")],
            Coverage::Partial,
            c.now,
            audit_of(&c),
        )
        .await
        .unwrap();
    assert_eq!((out.added, out.removed), (1, 0));
    assert_eq!(mt(store, &a, tailspin.tenant_id).await.removed_at, None);
    assert_invariants(store, &a).await;
}

fn sample_integration(mode: IntegrationMode, v: u64) -> Integration {
    Integration {
        mode,
        directory_tenant: MicrosoftTenantId::from_uuid(Uuid::from_u128(42)),
        client_id: ClientId::from_uuid(Uuid::from_u128(43)),
        secret: SealedSecret {
            nonce: format!("nonce-{v}"),
            ciphertext: format!("sealed-{v}"),
        },
        secret_set_at: Timestamp(v as i64),
        connected_at: Timestamp(1),
        connected_by: "admin@msp.example".into(),
        version: Version(v),
    }
}

/// Connect, replace the secret, report a sync, disconnect: with conditions, per account, and
/// the installation-wide list of connected accounts in step.
pub async fn integrations_connect_and_disconnect(store: &dyn Store) {
    use app::domain::microsoft;
    let a = acct();
    let b = AccountId::parse("other-msp").unwrap();
    assert_eq!(store.integration(&a).await.unwrap(), None);
    assert!(store.connected_accounts().await.unwrap().is_empty());
    let csp = sample_integration(IntegrationMode::Csp, 1);
    store
        .apply(&a, microsoft::connect(&ctx(), None, csp.clone()).unwrap())
        .await
        .unwrap();
    assert_eq!(store.integration(&a).await.unwrap(), Some(csp.clone()));
    assert_eq!(store.integration(&b).await.unwrap(), None);
    assert_eq!(store.connected_accounts().await.unwrap(), vec![a.clone()]);
    // A second connect computed from a stale read is refused by the store, not only the rule.
    let single = sample_integration(IntegrationMode::SingleTenant, 1);
    let err = store
        .apply(&a, microsoft::connect(&ctx(), None, single).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    let next = sample_integration(IntegrationMode::Csp, 2).secret;
    let c = microsoft::replace_secret(&ctx(), &csp, Version(1), csp.client_id, next.clone());
    store.apply(&a, c.clone()).await.unwrap();
    let now = store.integration(&a).await.unwrap().unwrap();
    assert_eq!((&now.secret, now.version), (&next, Version(2)));
    assert!(matches!(
        store.apply(&a, c).await,
        Err(StoreError::Conflict(_))
    ));
    let report = SyncReport {
        started_at: Timestamp(10),
        finished_at: Timestamp(20),
        trigger: "Scheduled".into(),
        error: None,
        added: 1,
        updated: 2,
        removed: 3,
        failures: vec![TenantFailure {
            tenant_id: MicrosoftTenantId::from_uuid(Uuid::from_u128(7)),
            display_name: "Contoso".into(),
            failure: SyncFailure::ExpiredRelationship,
        }],
        failure_count: 1,
    };
    let mut c = ChangeSet::default();
    c.push(Write::PutSyncReport(report.clone()));
    store.apply(&a, c).await.unwrap();
    assert_eq!(store.sync_report(&a).await.unwrap(), Some(report));
    assert_eq!(store.sync_report(&b).await.unwrap(), None);
    assert!(matches!(
        store
            .apply(&a, microsoft::disconnect(&ctx(), &now, Version(1)))
            .await,
        Err(StoreError::Conflict(_))
    ));
    store
        .apply(&a, microsoft::disconnect(&ctx(), &now, Version(2)))
        .await
        .unwrap();
    assert_eq!(store.integration(&a).await.unwrap(), None);
    assert!(store.connected_accounts().await.unwrap().is_empty());
    let actions: Vec<String> = store
        .list_audit(&a, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions[..3],
        [
            "integration.disconnect",
            "integration.secret",
            "integration.connect"
        ]
    );
}

pub async fn lists_search_filter_and_page(store: &dyn Store) {
    let a = acct();
    for i in 0..30 {
        create_org(store, &a, &format!("Org {i:02}")).await.unwrap();
    }
    create_org(store, &a, "Foggy IT Services - Boston")
        .await
        .unwrap();
    for i in 0..12u128 {
        discover(store, &a, 100 + i, &format!("Tenant {i:02}")).await;
    }
    let q = ListQuery {
        per_page: 10,
        page: 3,
        ..ListQuery::default()
    };
    let page = store
        .list_organizations(&a, &q, ParentFilter::Any)
        .await
        .unwrap();
    assert_eq!(page.total, 31);
    assert_eq!(page.items.len(), 10);
    assert_eq!(page.items[0].name.as_str(), "Org 19", "Foggy… sorts first");
    let q = ListQuery {
        search: "  FOGGY it ".into(),
        ..ListQuery::default()
    };
    let found = store.list_syncro_tenants(&a, &q, false).await.unwrap();
    assert_eq!(found.total, 1);
    let q = ListQuery {
        search: "t105.onmicrosoft".into(),
        ..ListQuery::default()
    };
    assert_eq!(
        store
            .list_microsoft_tenants(&a, &q, MappingFilter::All)
            .await
            .unwrap()
            .items[0]
            .display_name,
        "Tenant 05"
    );
    let t0 = discover(store, &a, 100, "Tenant 00").await;
    let s = store
        .list_syncro_tenants(&a, &ListQuery::default(), true)
        .await
        .unwrap()
        .items[0]
        .clone();
    store
        .apply(&a, rules::map_tenant(&ctx(), &t0, t0.version, &s).unwrap())
        .await
        .unwrap();
    assert_eq!(
        store
            .list_microsoft_tenants(&a, &ListQuery::default(), MappingFilter::Mapped)
            .await
            .unwrap()
            .total,
        1
    );
    assert_eq!(
        store
            .list_microsoft_tenants(&a, &ListQuery::default(), MappingFilter::Unmapped)
            .await
            .unwrap()
            .total,
        11
    );
    assert_eq!(
        store
            .list_syncro_tenants(
                &a,
                &ListQuery {
                    per_page: 100,
                    ..Default::default()
                },
                true
            )
            .await
            .unwrap()
            .total,
        30
    );
    let desc = ListQuery {
        descending: true,
        ..ListQuery::default()
    };
    assert_eq!(
        store
            .list_microsoft_tenants(&a, &desc, MappingFilter::All)
            .await
            .unwrap()
            .items[0]
            .display_name,
        "Tenant 11"
    );
}

pub async fn lookups_by_ids(store: &dyn Store) {
    let a = acct();
    let (o1, s1) = create_org(store, &a, "One").await.unwrap();
    let (o2, s2) = create_org(store, &a, "Two").await.unwrap();
    let missing = OrganizationId::from_uuid(Uuid::new_v4());
    let orgs = store
        .organizations_by_ids(&a, &[o2.id, missing, o1.id])
        .await
        .unwrap();
    assert_eq!(
        orgs,
        vec![o2, o1],
        "in the order asked, unknown ids left out"
    );
    let sts = store
        .syncro_tenants_by_ids(
            &a,
            &[s1.id, SyncroTenantId::from_uuid(Uuid::new_v4()), s2.id],
        )
        .await
        .unwrap();
    assert_eq!(sts, vec![s1, s2]);
    assert!(
        store
            .syncro_tenants_by_ids(&AccountId::parse("other-msp").unwrap(), &[sts[0].id])
            .await
            .unwrap()
            .is_empty()
    );
    let audit = store.list_audit(&a, 1).await.unwrap();
    assert_eq!(audit.len(), 1);
    assert!(
        audit[0].summary.contains("\"Two\""),
        "newest first: {:?}",
        audit[0].summary
    );
    let t1 = discover(store, &a, 41, "Forty-one").await;
    let t2 = discover(store, &a, 42, "Forty-two").await;
    let unknown = MicrosoftTenantId::from_uuid(Uuid::new_v4());
    let mts = store
        .microsoft_tenants_by_ids(&a, &[t2.tenant_id, unknown, t1.tenant_id])
        .await
        .unwrap();
    assert_eq!(mts, vec![t2, t1]);
}

pub async fn accounts_are_isolated(store: &dyn Store) {
    let a = acct();
    let b = AccountId::parse("other-msp").unwrap();
    let (org, s) = create_org(store, &a, "Acme Dental").await.unwrap();
    let t = discover(store, &a, 9, "Acme").await;
    assert!(store.organization(&b, org.id).await.unwrap().is_none());
    assert!(store.syncro_tenant(&b, s.id).await.unwrap().is_none());
    assert!(
        store
            .microsoft_tenant(&b, t.tenant_id)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .list_organizations(&b, &everything(), ParentFilter::Any)
            .await
            .unwrap()
            .total,
        0
    );
    assert!(store.list_audit(&b, 10).await.unwrap().is_empty());
    // The same name is free in another account; a change against another account's ids fails.
    create_org(store, &b, "Acme Dental").await.unwrap();
    let err = store
        .apply(&b, rules::map_tenant(&ctx(), &t, t.version, &s).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)));
    assert_eq!(mt(store, &a, t.tenant_id).await.syncro_tenant, None);
}

/// Many tasks map, change and unmap at once: R1–R3 hold afterwards, and every change either
/// applied or came back as a refusal — none was silently lost.
pub async fn concurrent_mapping_keeps_the_rules(store: std::sync::Arc<dyn Store>) {
    let a = acct();
    let mut sts = Vec::new();
    for i in 0..6 {
        sts.push(
            create_org(&*store, &a, &format!("Customer {i}"))
                .await
                .unwrap()
                .1
                .id,
        );
    }
    let mut mts = Vec::new();
    for i in 0..6u128 {
        mts.push(
            discover(&*store, &a, 200 + i, &format!("Tenant {i}"))
                .await
                .tenant_id,
        );
    }
    let mut tasks = Vec::new();
    for worker in 0..8u64 {
        let store = store.clone();
        let (a, sts, mts) = (a.clone(), sts.clone(), mts.clone());
        tasks.push(tokio::spawn(async move {
            let (mut applied, mut refused) = (0u32, 0u32);
            let mut seed = worker * 7919 + 13;
            for _ in 0..40 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let m = mts[(seed >> 33) as usize % mts.len()];
                let s = sts[(seed >> 40) as usize % sts.len()];
                let t = store.microsoft_tenant(&a, m).await.unwrap().unwrap();
                let target = store.syncro_tenant(&a, s).await.unwrap().unwrap();
                let c = match t.syncro_tenant {
                    None => rules::map_tenant(&ctx(), &t, t.version, &target),
                    Some(cur) => match store.syncro_tenant(&a, cur).await.unwrap() {
                        Some(cur) if seed % 3 == 0 => {
                            Ok(rules::unmap_tenant(&ctx(), &t, t.version, &cur))
                        }
                        Some(cur) => rules::change_mapping(&ctx(), &t, t.version, &cur, &target),
                        None => continue,
                    },
                };
                let Ok(c) = c else {
                    refused += 1;
                    continue;
                };
                match store.apply(&a, c).await {
                    Ok(()) => applied += 1,
                    Err(StoreError::Conflict(_)) => refused += 1,
                    Err(e) => panic!("unexpected refusal {e:?}"),
                }
                tokio::task::yield_now().await;
            }
            (applied, refused)
        }));
    }
    let mut applied = 0;
    for t in tasks {
        let (ok, _) = t.await.unwrap();
        applied += ok;
    }
    assert!(applied > 0);
    assert_invariants(&*store, &a).await;
    // Every applied change left exactly one audit entry (plus the set-up entries).
    let audit = store.list_audit(&a, 10_000).await.unwrap();
    assert_eq!(audit.len() as u32, applied + 6 + 6);
}

fn new_user(email: &str, role: Role) -> NewUser {
    NewUser {
        id: UserId::from_uuid(Uuid::new_v4()),
        email: Email::parse(email).unwrap(),
        role,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
    }
}

/// A new account with its first Administrator, through the rule the server functions use.
pub async fn new_account(
    store: &dyn Store,
    id: &str,
    email: &str,
    first_run: bool,
) -> Result<(AccountId, User), StoreError> {
    let account = AccountId::parse(id).unwrap();
    let admin = new_user(email, Role::Administrator);
    let user_id = admin.id;
    let c = create_account(
        &ctx(),
        account.clone(),
        AccountName::parse(id).unwrap(),
        admin,
        first_run,
    );
    store.apply(&account, c).await?;
    let user = store.user(&account, user_id).await?.unwrap();
    Ok((account, user))
}

pub async fn accounts_and_users(store: &dyn Store) {
    assert!(!store.installed().await.unwrap());
    let (a, admin) = new_account(store, "msp-a", "Admin@MSP-A.example", true)
        .await
        .unwrap();
    assert!(store.installed().await.unwrap());
    assert_eq!(admin.email.as_str(), "admin@msp-a.example");
    assert_eq!(admin.role, Role::Administrator);
    assert_eq!(
        store
            .account(&a)
            .await
            .unwrap()
            .unwrap()
            .active_administrators,
        1
    );
    // First run happens once; a second first-run change writes nothing at all.
    assert_eq!(
        new_account(store, "msp-x", "x@msp-x.example", true)
            .await
            .unwrap_err(),
        StoreError::AlreadyInstalled
    );
    assert!(
        store
            .account(&AccountId::parse("msp-x").unwrap())
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .user_by_email(&Email::parse("x@msp-x.example").unwrap())
            .await
            .unwrap()
            .is_none()
    );
    // Emails are unique across accounts; the refused account is not created either.
    assert!(matches!(
        new_account(store, "msp-b", "ADMIN@msp-a.example", false).await,
        Err(StoreError::EmailTaken(_))
    ));
    assert!(
        store
            .account(&AccountId::parse("msp-b").unwrap())
            .await
            .unwrap()
            .is_none()
    );
    let (b, _) = new_account(store, "msp-b", "admin@msp-b.example", false)
        .await
        .unwrap();

    let tech = new_user("tech@msp-a.example", Role::Technician);
    let tech_id = tech.id;
    store.apply(&a, add_user(&ctx(), &a, tech)).await.unwrap();
    let found = store
        .user_by_email(&Email::parse("TECH@msp-a.example").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((found.id, found.account.clone()), (tech_id, a.clone()));
    let emails: Vec<String> = store
        .list_users(&a)
        .await
        .unwrap()
        .iter()
        .map(|u| u.email.to_string())
        .collect();
    assert_eq!(emails, ["admin@msp-a.example", "tech@msp-a.example"]);
    // Account B sees none of A's users, even by id.
    assert_eq!(store.list_users(&b).await.unwrap().len(), 1);
    assert!(store.user(&b, tech_id).await.unwrap().is_none());
    // Every user change is in the audit log of its own account.
    assert_eq!(store.list_audit(&a, 10).await.unwrap().len(), 2);
    assert_eq!(store.list_audit(&b, 10).await.unwrap().len(), 1);
}

pub async fn the_last_administrator_stays(store: &dyn Store) {
    let (a, admin) = new_account(store, "msp-a", "admin@msp-a.example", false)
        .await
        .unwrap();
    let account = store.account(&a).await.unwrap().unwrap();
    // The rule refuses against what it read...
    assert_eq!(
        change_user(
            &ctx(),
            &account,
            &admin,
            admin.version,
            UserChange::Role(Role::Technician)
        ),
        Err(DomainError::LastAdministrator)
    );
    // ...and the store refuses on its own, against the current count.
    let stale_view = Account {
        active_administrators: 2,
        ..account.clone()
    };
    let c = change_user(
        &ctx(),
        &stale_view,
        &admin,
        admin.version,
        UserChange::Active(false),
    )
    .unwrap();
    assert_eq!(store.apply(&a, c).await, Err(StoreError::LastAdministrator));
    assert!(store.user(&a, admin.id).await.unwrap().unwrap().active);
    // A stale user version is refused (R8).
    let c = change_user(
        &ctx(),
        &stale_view,
        &admin,
        Version(admin.version.0 + 5),
        UserChange::Password("$argon2id$other".into()),
    )
    .unwrap();
    assert!(matches!(
        store.apply(&a, c).await,
        Err(StoreError::Conflict(_))
    ));
}

/// Two Administrators demote each other at the same moment, each having read "2 active
/// Administrators": exactly one change goes through.
pub async fn concurrent_demotions_keep_an_administrator(store: std::sync::Arc<dyn Store>) {
    for round in 0..10 {
        let (a, first) = new_account(
            &*store,
            &format!("msp-{round}"),
            &format!("first@msp-{round}.example"),
            false,
        )
        .await
        .unwrap();
        let second = new_user(&format!("second@msp-{round}.example"), Role::Administrator);
        let second_id = second.id;
        store.apply(&a, add_user(&ctx(), &a, second)).await.unwrap();
        let second = store.user(&a, second_id).await.unwrap().unwrap();
        let account = store.account(&a).await.unwrap().unwrap();
        assert_eq!(account.active_administrators, 2);
        let demote = |u: &User| {
            change_user(
                &ctx(),
                &account,
                u,
                u.version,
                UserChange::Role(Role::Technician),
            )
            .unwrap()
        };
        let (c1, c2) = (demote(&first), demote(&second));
        let (s1, s2) = (store.clone(), store.clone());
        let (a1, a2) = (a.clone(), a.clone());
        let (r1, r2) = tokio::join!(
            tokio::spawn(async move { s1.apply(&a1, c1).await }),
            tokio::spawn(async move { s2.apply(&a2, c2).await })
        );
        let results = [r1.unwrap(), r2.unwrap()];
        assert_eq!(
            results.iter().filter(|r| r.is_ok()).count(),
            1,
            "{results:?}"
        );
        assert!(results.contains(&Err(StoreError::LastAdministrator)));
        let admins = store
            .list_users(&a)
            .await
            .unwrap()
            .iter()
            .filter(|u| u.active && u.role == Role::Administrator)
            .count();
        assert_eq!(admins, 1);
        assert_eq!(
            store
                .account(&a)
                .await
                .unwrap()
                .unwrap()
                .active_administrators,
            1
        );
    }
}

pub async fn sessions_are_kept_touched_and_deleted(store: &dyn Store) {
    let (a, admin) = new_account(store, "msp-a", "admin@msp-a.example", false)
        .await
        .unwrap();
    let s = Session {
        token_hash: "ab".repeat(32),
        account: a.clone(),
        user: admin.id,
        epoch: admin.session_epoch,
        created_at: Timestamp(1_000),
        last_seen: Timestamp(1_000),
    };
    store.put_session(s.clone()).await.unwrap();
    assert_eq!(store.session(&s.token_hash).await.unwrap(), Some(s.clone()));
    store
        .touch_session(&s.token_hash, Timestamp(5_000))
        .await
        .unwrap();
    assert_eq!(
        store
            .session(&s.token_hash)
            .await
            .unwrap()
            .unwrap()
            .last_seen,
        Timestamp(5_000)
    );
    assert!(store.session(&"cd".repeat(32)).await.unwrap().is_none());
    store.delete_session(&s.token_hash).await.unwrap();
    assert!(store.session(&s.token_hash).await.unwrap().is_none());
    // Touching or deleting what is gone is harmless.
    store
        .touch_session(&s.token_hash, Timestamp(6_000))
        .await
        .unwrap();
    store.delete_session(&s.token_hash).await.unwrap();
    assert!(store.session(&s.token_hash).await.unwrap().is_none());
}

pub async fn failed_sign_ins_are_counted_per_email(store: &dyn Store) {
    let t = Timestamp(50_000_000);
    for _ in 0..FREE_ATTEMPTS {
        assert_eq!(store.sign_in_attempt("a@x.example", t).await.unwrap(), None);
    }
    assert_eq!(
        store.sign_in_attempt("a@x.example", t).await.unwrap(),
        Some(30_000)
    );
    assert_eq!(store.sign_in_attempt("b@x.example", t).await.unwrap(), None);
    store.clear_sign_in_failures("a@x.example").await.unwrap();
    assert_eq!(store.sign_in_attempt("a@x.example", t).await.unwrap(), None);
}

/// Instantiates the whole suite for one store. `$make` is an async block returning a fresh,
/// empty `Arc<dyn Store>` and a guard that keeps its resources (a directory, a table) alive.
#[macro_export]
macro_rules! contract_tests {
    ($make:expr) => {
        mod contract {
            #[allow(unused_imports)]
            use super::*;
            use $crate::store::contract as c;
            macro_rules! case {
                ($name:ident) => {
                    #[tokio::test]
                    async fn $name() {
                        let (store, _guard): (std::sync::Arc<dyn app::store::Store>, _) =
                            $make.await;
                        c::$name(&*store).await;
                    }
                };
            }
            case!(automatic_syncro_tenant);
            case!(taken_automatic_name_creates_nothing);
            case!(names_are_unique_ignoring_case);
            case!(mapping_is_one_to_one);
            case!(stale_changes_are_refused);
            case!(delete_only_when_empty_and_unmapped);
            case!(organizations_cannot_join_a_deleted_syncro_tenant);
            case!(foggy_it_scenario);
            case!(discovery_refreshes_and_keeps_mappings);
            case!(complete_syncs_mark_removed_tenants);
            case!(integrations_connect_and_disconnect);
            case!(lists_search_filter_and_page);
            case!(accounts_are_isolated);
            case!(lookups_by_ids);
            case!(accounts_and_users);
            case!(the_last_administrator_stays);
            case!(sessions_are_kept_touched_and_deleted);
            case!(failed_sign_ins_are_counted_per_email);

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn concurrent_demotions_keep_an_administrator() {
                let (store, _guard): (std::sync::Arc<dyn app::store::Store>, _) = $make.await;
                c::concurrent_demotions_keep_an_administrator(store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn concurrent_mapping_keeps_the_rules() {
                let (store, _guard): (std::sync::Arc<dyn app::store::Store>, _) = $make.await;
                c::concurrent_mapping_keeps_the_rules(store).await;
            }
        }
    };
}

/// One step of a random session, by index into what exists at that moment.
#[derive(Debug, Clone)]
pub enum Op {
    CreateOrg { name: usize, parent: Option<usize> },
    RenameSyncro { st: usize, name: usize },
    EditOrgParent { org: usize, st: usize },
    MoveOrgs { orgs: Vec<usize>, st: usize },
    Map { mt: usize, st: usize },
    Unmap { mt: usize },
    Delete { st: usize },
}

/// Names that collide by case and spacing, so R3 is exercised.
pub const NAMES: [&str; 6] = [
    "Acme",
    " acme ",
    "Foggy IT",
    "FOGGY  IT",
    "Harbor",
    "Summit",
];

/// Applies one random step through the rules (refusals are fine), then checks R1–R3.
pub async fn run_op(store: &dyn Store, a: &AccountId, op: &Op) {
    let (sts, orgs, mts) = everything_in(store, a).await;
    let pick = |v: usize, len: usize| if len == 0 { None } else { Some(v % len) };
    let change: Option<Result<ChangeSet, DomainError>> = match op {
        Op::CreateOrg { name, parent } => {
            let n = OrganizationName::parse(&format!(
                "{} {}",
                NAMES[name % NAMES.len()],
                name / NAMES.len() % 3
            ))
            .unwrap();
            let id = OrganizationId::from_uuid(Uuid::new_v4());
            Some(Ok(match parent.and_then(|p| pick(p, sts.len())) {
                Some(i) => rules::create_organization(
                    &ctx(),
                    id,
                    n,
                    Default::default(),
                    Parent::Existing(&sts[i]),
                ),
                None => rules::create_organization(
                    &ctx(),
                    id,
                    n,
                    Default::default(),
                    Parent::Automatic(SyncroTenantId::from_uuid(Uuid::new_v4())),
                ),
            }))
        }
        Op::RenameSyncro { st, name } => pick(*st, sts.len()).map(|i| {
            Ok(rules::rename_syncro_tenant(
                &ctx(),
                &sts[i],
                sts[i].version,
                SyncroTenantName::parse(NAMES[name % NAMES.len()]).unwrap(),
            ))
        }),
        Op::EditOrgParent { org, st } => match (pick(*org, orgs.len()), pick(*st, sts.len())) {
            (Some(o), Some(s)) => Some(Ok(rules::update_organization(
                &ctx(),
                &orgs[o],
                orgs[o].version,
                orgs[o].name.clone(),
                Default::default(),
                &sts[s],
            ))),
            _ => None,
        },
        Op::MoveOrgs { orgs: chosen, st } => pick(*st, sts.len()).and_then(|s| {
            let chosen: Vec<Organization> = chosen
                .iter()
                .filter_map(|o| pick(*o, orgs.len()).map(|i| orgs[i].clone()))
                .collect();
            (!chosen.is_empty()).then(|| rules::move_organizations(&ctx(), &sts[s], &chosen))
        }),
        Op::Map { mt, st } => match (pick(*mt, mts.len()), pick(*st, sts.len())) {
            (Some(m), Some(s)) => Some(rules::map_tenant(&ctx(), &mts[m], mts[m].version, &sts[s])),
            _ => None,
        },
        Op::Unmap { mt } => pick(*mt, mts.len()).and_then(|m| {
            let t = &mts[m];
            let s = t
                .syncro_tenant
                .and_then(|id| sts.iter().find(|s| s.id == id))?;
            Some(Ok(rules::unmap_tenant(&ctx(), t, t.version, s)))
        }),
        Op::Delete { st } => pick(*st, sts.len())
            .map(|i| rules::delete_syncro_tenant(&ctx(), &sts[i], sts[i].version)),
    };
    if let Some(Ok(change)) = change {
        assert!(
            change.is_well_formed(),
            "{op:?} produced a malformed change"
        );
        let _ = store.apply(a, change).await;
    }
    assert_invariants(store, a).await;
}
