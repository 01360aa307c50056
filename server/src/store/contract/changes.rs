//! The store contract: a change is applied whole or not at all, per account, and the same way
//! on both stores (S1–S4 end to end, malformed and concurrent changes).

use super::*;

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

pub async fn lookups_by_ids(store: &dyn Store) {
    let a = acct();
    let (o1, s1) = create_org(store, &a, "One").await.unwrap();
    let (o2, s2) = create_org(store, &a, "Two").await.unwrap();
    let missing = OrganizationId::from_uuid(Uuid::new_v4());
    let orgs = store
        .organizations_by_ids(&a, &[o2.id, missing, o1.id, o2.id])
        .await
        .unwrap();
    assert_eq!(
        orgs,
        vec![o2, o1],
        "in the order first asked, unknown ids left out, each once"
    );
    // A page of Organizations that share a parent asks for that parent once per row.
    let sts = store
        .syncro_tenants_by_ids(
            &a,
            &[
                s1.id,
                SyncroTenantId::from_uuid(Uuid::new_v4()),
                s2.id,
                s1.id,
                s1.id,
            ],
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
        .microsoft_tenants_by_ids(&a, &[t2.tenant_id, unknown, t1.tenant_id, t2.tenant_id])
        .await
        .unwrap();
    assert_eq!(mts, vec![t2, t1]);
}

/// A change that writes one item twice is refused by every store alike, and writes nothing.
pub async fn malformed_changes_are_refused_alike(store: &dyn Store) {
    let a = acct();
    let (org, st) = create_org(store, &a, "Acme Dental").await.unwrap();
    let mut c = rules::rename_syncro_tenant(
        &ctx(),
        &st,
        st.version,
        SyncroTenantName::parse("Acme Group").unwrap(),
    );
    c.push(Write::AdjustOrganizationCount {
        id: st.id,
        delta: 1,
    });
    let err = store.apply(&a, c).await.unwrap_err();
    assert!(matches!(err, StoreError::Malformed(_)), "{err:?}");
    let after = store.syncro_tenant(&a, st.id).await.unwrap().unwrap();
    assert_eq!(after, st, "nothing written");
    assert_eq!(
        store
            .organization(&a, org.id)
            .await
            .unwrap()
            .unwrap()
            .syncro_tenant,
        st.id
    );
    assert_eq!(
        store.list_audit(&a, 10).await.unwrap().len(),
        1,
        "no audit entry"
    );
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
