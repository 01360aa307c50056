//! *Group under one Syncro Tenant*: the Foggy IT consolidation as one change (rename, moves,
//! mapping, deletions), and a grouping planned on stale records changing nothing.

use super::*;
use app::domain::mapping::group::{self, GroupTarget, Grouping};

/// Foggy IT's three offices, each under its own automatic Syncro Tenant, and the tenant.
async fn three_offices(
    store: &dyn Store,
    a: &AccountId,
) -> (Vec<Organization>, Vec<SyncroTenant>, MicrosoftTenant) {
    let mut orgs = Vec::new();
    let mut parents = Vec::new();
    for office in ["Boston", "Waltham", "Burlington"] {
        let (o, s) = create_org(store, a, &format!("Foggy IT Services - {office}"))
            .await
            .unwrap();
        orgs.push(o);
        parents.push(s);
    }
    (orgs, parents, discover(store, a, 7, "Foggy IT").await)
}

pub async fn foggy_it_in_one_step(store: &dyn Store) {
    let a = acct();
    let (orgs, parents, foggy) = three_offices(store, &a).await;
    let name = SyncroTenantName::parse("Foggy IT Services").unwrap();
    let plan = group::group(
        &ctx(),
        &Grouping {
            organizations: &orgs,
            parents: &parents,
            target: GroupTarget::Existing(&parents[0]),
            name: &name,
            tenant: Some(&foggy),
            delete_empty: true,
        },
    )
    .unwrap();
    store.apply(&a, plan.change).await.unwrap();

    let target = st(store, &a, parents[0].id).await;
    assert_eq!(target.name.as_str(), "Foggy IT Services");
    assert_eq!(target.organization_count, 3);
    assert_eq!(target.microsoft_tenant, Some(foggy.tenant_id));
    assert_eq!(
        mt(store, &a, foggy.tenant_id).await.syncro_tenant,
        Some(target.id)
    );
    for gone in &parents[1..] {
        assert!(store.syncro_tenant(&a, gone.id).await.unwrap().is_none());
    }
    let children = store
        .list_organizations(&a, &everything(), ParentFilter::Only(target.id))
        .await
        .unwrap();
    assert_eq!(children.total, 3);
    let (sts, _, _) = everything_in(store, &a).await;
    let names: Vec<&str> = sts.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Foggy IT Services"]);
    // The deleted ones' names are free again, the old name of the kept one too (R3).
    for freed in ["Foggy IT Services - Waltham", "Foggy IT Services - Boston"] {
        let (_, s) = create_org(store, &a, &format!("{freed} (new)"))
            .await
            .unwrap();
        let rename = rules::rename_syncro_tenant(
            &ctx(),
            &s,
            s.version,
            SyncroTenantName::parse(freed).unwrap(),
        );
        store.apply(&a, rename).await.unwrap();
    }
    let audit = store.list_audit(&a, 1_000).await.unwrap();
    assert!(
        audit.iter().any(|e| e.action == "syncro_tenant.group"
            && e.summary
                .contains("renamed from \"Foggy IT Services - Boston\"")),
        "{audit:?}"
    );
    assert_invariants(store, &a).await;
}

pub async fn stale_groupings_change_nothing(store: &dyn Store) {
    let a = acct();
    let (orgs, parents, _) = three_offices(store, &a).await;
    let name = SyncroTenantName::parse("Foggy IT Services").unwrap();
    let new = SyncroTenantId::from_uuid(Uuid::new_v4());
    let plan = |orgs: &[Organization], parents: &[SyncroTenant]| {
        group::group(
            &ctx(),
            &Grouping {
                organizations: orgs,
                parents,
                target: GroupTarget::New(new),
                name: &name,
                tenant: None,
                delete_empty: true,
            },
        )
        .unwrap()
        .change
    };
    let stale = plan(&orgs, &parents);
    // Meanwhile someone adds an Organization to Waltham's Syncro Tenant: it may no longer be
    // deleted with the Organization that leaves it.
    let late = rules::create_organization(
        &ctx(),
        OrganizationId::from_uuid(Uuid::new_v4()),
        OrganizationName::parse("Foggy IT Services - Waltham Annex").unwrap(),
        Default::default(),
        Parent::Existing(&parents[1]),
    );
    store.apply(&a, late).await.unwrap();
    let before = everything_in(store, &a).await;
    let err = store.apply(&a, stale).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(
        everything_in(store, &a).await,
        before,
        "nothing half-applied"
    );
    assert!(store.syncro_tenant(&a, new).await.unwrap().is_none());

    // Planned again on what is there now, Waltham's Syncro Tenant stays with its other one.
    let parents: Vec<SyncroTenant> = {
        let mut v = Vec::new();
        for p in &parents {
            v.push(st(store, &a, p.id).await);
        }
        v
    };
    store.apply(&a, plan(&orgs, &parents)).await.unwrap();
    assert_eq!(st(store, &a, new).await.organization_count, 3);
    assert_eq!(st(store, &a, parents[1].id).await.organization_count, 1);
    assert!(
        store
            .syncro_tenant(&a, parents[0].id)
            .await
            .unwrap()
            .is_none()
    );
    assert_invariants(store, &a).await;
}
