//! The store contract: changes keep the rules R1–R5, R7 and R8.

use super::*;

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

/// Names a reader cannot tell apart are one name (NFKC, default-ignorable characters); a name
/// claimed under its key from before (a legacy key) is given up whole when it is renamed.
pub async fn look_alike_names_are_one_name(store: &dyn Store) {
    let a = acct();
    create_org(store, &a, "Acme Dental").await.unwrap();
    for twin in [
        "Ａｃｍｅ Dental",
        "ACME\u{3000}DENTAL",
        "Acme Dental\u{FE0F}",
    ] {
        // Parsing refuses the ignorable one outright; the store refuses the others as taken.
        if let Ok(name) = OrganizationName::parse(twin) {
            let change = rules::create_organization(
                &ctx(),
                OrganizationId::from_uuid(Uuid::new_v4()),
                name,
                Default::default(),
                Parent::Automatic(SyncroTenantId::from_uuid(Uuid::new_v4())),
            );
            assert!(
                matches!(
                    store.apply(&a, change).await,
                    Err(StoreError::NameTaken { .. })
                ),
                "{twin:?} is a second \"Acme Dental\""
            );
        }
    }
    // A Syncro Tenant stored before NFKC: its name's claim is under the legacy key.
    let old = SyncroTenantName::parse("Ｆｏｇｇｙ").unwrap();
    assert_ne!(old.key(), legacy_name_key(old.as_str()));
    let id = SyncroTenantId::from_uuid(Uuid::new_v4());
    let mut before = ChangeSet::default();
    before.push(Write::ClaimName {
        kind: NameKind::SyncroTenant,
        key: legacy_name_key(old.as_str()),
        owner: id.as_uuid(),
    });
    before.push(Write::CreateSyncroTenant {
        record: SyncroTenant {
            id,
            name: old.clone(),
            microsoft_tenant: None,
            organization_count: 0,
            version: Version(1),
            updated_at: ctx().now,
        },
    });
    store.apply(&a, before).await.unwrap();
    let stored = st(store, &a, id).await;
    store
        .apply(
            &a,
            rules::rename_syncro_tenant(
                &ctx(),
                &stored,
                stored.version,
                SyncroTenantName::parse("Foggy").unwrap(),
            ),
        )
        .await
        .unwrap();
    // The legacy key went with the rename: it can be claimed again.
    let mut again = ChangeSet::default();
    again.push(Write::ClaimName {
        kind: NameKind::SyncroTenant,
        key: legacy_name_key(old.as_str()),
        owner: Uuid::new_v4(),
    });
    store.apply(&a, again).await.unwrap();
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
